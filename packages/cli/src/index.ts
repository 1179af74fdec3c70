/**
 * @packageDocumentation
 * The `gomalloc` command as a library: `main(argv)` runs it and returns the exit code.
 */
export { buildProgram, main } from "./main.js";
