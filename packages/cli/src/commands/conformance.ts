/**
 * `gomalloc conformance`: checks @gomalloc/arch against Go. With a `go`
 * command and a Go tree (`--goroot`, or the installed ones) it extracts Go's
 * values live with the extractor of @gomalloc/conformance; otherwise it uses
 * the checked-in fixtures. Prints a per-pair pass/fail table per Go version
 * and exits 1 on any difference. See docs/design.md, "Layers".
 */
import { type GoVersion, goVersions, isGoVersion, parseGoVersion } from "@gomalloc/arch";
import {
  type CheckOptions,
  type ConformanceReport,
  checkArch,
  defaultGoroot,
  type Extracted,
  findGo,
  formatReport,
  loadFixtures,
  readGorootVersion,
  runExtractor,
} from "@gomalloc/conformance";
import { type Command, CommanderError } from "commander";
import { orUsageError, usageError } from "./constants.js";

interface ConformanceOptions {
  goroot?: string;
  go?: string;
  fixtures?: boolean;
  json?: boolean;
}

/** The versions to check and the Go tree of each (undefined: none found). */
function plan(opts: ConformanceOptions): Map<GoVersion, string | undefined> {
  const wanted =
    opts.go === undefined ? undefined : orUsageError("conformance", () => parseGoVersion(opts.go as string));
  if (opts.goroot !== undefined) {
    const goVersion = orUsageError("conformance", () => readGorootVersion(opts.goroot as string));
    const release = /^go(1\.\d+)/.exec(goVersion)?.[1] ?? "";
    if (!isGoVersion(release)) {
      usageError("conformance", `${opts.goroot} holds ${goVersion}; profiles exist for Go ${goVersions.join(", ")}`);
    }
    if (wanted !== undefined && wanted !== release) {
      usageError("conformance", `--go ${opts.go} but ${opts.goroot} holds ${goVersion}`);
    }
    return new Map([[release, opts.goroot]]);
  }
  const versions = wanted === undefined ? goVersions : [wanted];
  return new Map(versions.map((v) => [v, defaultGoroot(v)]));
}

/** Adds `gomalloc conformance` to the program. */
export function registerConformance(program: Command): void {
  program
    .command("conformance")
    .description(
      "check every GOOS/GOARCH profile against Go: extracted live from a Go tree when `go` is available, else from the checked-in fixtures",
    )
    .option("--goroot <path>", "the Go tree to extract from (its VERSION file picks the Go version)")
    .option("--go <version>", "check only this Go version: 1.19 or 1.26")
    .option("--fixtures", "compare with the checked-in fixtures even when `go` is available")
    .option("--json", "print the reports as JSON")
    .action(async (opts: ConformanceOptions) => {
      const roots = plan(opts);
      const go = opts.fixtures ? undefined : findGo();
      const live = [...roots].filter(([, root]) => go !== undefined && root !== undefined);
      if (!opts.fixtures && live.length < roots.size) {
        const why = go === undefined ? "no `go` command found" : "no Go tree found";
        const which = [...roots.keys()].filter((v) => !live.some(([l]) => l === v)).join(", ");
        process.stderr.write(`gomalloc conformance: ${why} for Go ${which}; using the checked-in fixtures\n`);
      }
      let extracted = new Map<string, Extracted>();
      if (live.length > 0) {
        try {
          extracted = await runExtractor({ goroots: live.map(([, r]) => r as string), go: go as string });
        } catch (e) {
          process.stderr.write(`gomalloc conformance: ${e instanceof Error ? e.message : String(e)}\n`);
          throw new CommanderError(1, "gomalloc.extract", "extraction failed");
        }
      }
      const reports: ConformanceReport[] = [];
      const notes: string[] = [];
      for (const v of roots.keys()) {
        const x = extracted.get(v);
        const options: CheckOptions =
          x === undefined ? {} : { against: x, source: `live ${x.goVersion} (${x.goroot})` };
        reports.push(checkArch(v, options));
        if (x !== undefined && differs(v, x)) {
          notes.push(
            `note: ${x.goVersion} at ${x.goroot} differs from the checked-in fixtures (${loadFixtures(v).goVersion}); the check above used the tree`,
          );
        }
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      } else {
        process.stdout.write(reports.map((r) => formatReport(r)).join("\n"));
        for (const n of notes) process.stdout.write(`${n}\n`);
      }
      if (reports.some((r) => !r.ok)) throw new CommanderError(1, "gomalloc.mismatch", "constants differ from Go's");
    });
}

/** True when a live extraction's constants differ from the checked-in fixtures of the version. */
function differs(v: GoVersion, x: Extracted): boolean {
  return JSON.stringify(x.constants) !== JSON.stringify(loadFixtures(v).constants);
}
