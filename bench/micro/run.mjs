// Runs every gomalloc benchmark on the built packages (`pnpm bench:micro` at the root builds first).
import { main as api, u8Main } from "./api.mjs";
import { main as pagealloc } from "./pagealloc.mjs";
import { main as span } from "./span.mjs";

console.log(`node ${process.version}, ${process.arch}`);
await span();
await pagealloc();
await api();
await u8Main();
