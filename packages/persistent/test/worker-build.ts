// Builds @gomalloc/os-mem and @gomalloc/persistent sources into plain ES
// modules in a temporary directory so that worker_threads (which cannot load
// TypeScript on Node 20) can import them, from a fresh clone without a build.
// Not a test file.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

let built: string | undefined;

function transpileDir(src: string, out: string, rewrite: (code: string) => string): void {
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(src)) {
    if (!f.endsWith(".ts")) continue;
    const js = ts.transpileModule(rewrite(readFileSync(join(src, f), "utf8")), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    writeFileSync(join(out, f.replace(/\.ts$/, ".js")), js);
  }
}

/** File URL of the transpiled `index.js` of @gomalloc/persistent (its os-mem import points at a transpiled copy). */
export function persistentForWorkers(): string {
  if (built === undefined) {
    const root = mkdtempSync(join(tmpdir(), "gomalloc-persistent-"));
    const osMemSrc = join(dirname(createRequire(import.meta.url).resolve("@gomalloc/os-mem/package.json")), "src");
    transpileDir(osMemSrc, join(root, "os-mem"), (c) => c);
    transpileDir(fileURLToPath(new URL("../src/", import.meta.url)), join(root, "persistent"), (c) =>
      c.replaceAll('"@gomalloc/os-mem"', '"../os-mem/index.js"'),
    );
    built = pathToFileURL(join(root, "persistent", "index.js")).href;
  }
  return built;
}

/** File URL of the transpiled os-mem that {@link persistentForWorkers} uses. */
export function osMemForWorkers(): string {
  return new URL("../os-mem/index.js", persistentForWorkers()).href;
}
