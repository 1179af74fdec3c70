// Builds the package's sources into plain ES modules in a temporary directory
// so that worker_threads (which cannot load TypeScript on Node 20) can import
// them; works from a fresh clone without `tsc -b`. Not a test file.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

let built: string | undefined;

/** File URL of the transpiled `index.js` of @gomalloc/os-mem (built once per test file). */
export function osMemForWorkers(): string {
  if (built === undefined) {
    const src = fileURLToPath(new URL("../src/", import.meta.url));
    const out = mkdtempSync(join(tmpdir(), "gomalloc-os-mem-"));
    for (const f of readdirSync(src)) {
      if (!f.endsWith(".ts")) continue;
      const js = ts.transpileModule(readFileSync(join(src, f), "utf8"), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText;
      writeFileSync(join(out, f.replace(/\.ts$/, ".js")), js);
    }
    built = pathToFileURL(join(out, "index.js")).href;
  }
  return built;
}

/** URL of a worker script in test/workers. */
export function workerScript(name: string): URL {
  return new URL(`./workers/${name}`, import.meta.url);
}
