import { gomallocProject } from "../../vitest.shared.js";

export default gomallocProject("demo");
