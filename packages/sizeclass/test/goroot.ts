// Locates Go's generated sizeclasses.go in the installed GOROOTs, for tests that
// compare our output with Go's files byte for byte. Overridable with
// GOMALLOC_GOROOT_1_19 / GOMALLOC_GOROOT_1_26.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type GoVersion, goNames } from "../src/index.js";

/** The GOROOT used for `v`: Debian's golang-1.19-src for 1.19, `go env GOROOT` for 1.26. */
export function goroot(v: GoVersion): string {
  if (v === "1.19") return process.env.GOMALLOC_GOROOT_1_19 ?? "/usr/lib/go-1.19";
  if (process.env.GOMALLOC_GOROOT_1_26) return process.env.GOMALLOC_GOROOT_1_26;
  const r = spawnSync("go", ["env", "GOROOT"], { encoding: "utf8" });
  return r.status === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : "/usr/local/go";
}

/**
 * Go's sizeclasses.go for `v`: `text` is undefined when the file is missing.
 * `required` is true under CI=true, where a missing file must fail the test
 * rather than skip it (CI installs golang-1.19-src through .ci/setup-machine).
 */
export function goSizeclassesFile(v: GoVersion): { path: string; text: string | undefined; required: boolean } {
  const path = join(goroot(v), goNames(v).file);
  const text = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  const required = process.env.CI === "true";
  if (text === undefined && !required) console.warn(`skipping Go ${v} comparisons: ${path} not found`);
  return { path, text, required };
}
