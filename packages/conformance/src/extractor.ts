/**
 * Running the Go extractor (extract/, a standard-library-only Go module) from
 * TypeScript: finding a `go` command and the GOROOTs of each version, then
 * `go run`ning the extractor into a directory and reading back what it wrote.
 * The drift test and `gomalloc conformance` use this; the package script
 * `pnpm --filter @gomalloc/conformance extract` runs the same program into
 * fixtures/. See docs/design.md, "Layers".
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { GoVersion } from "@gomalloc/arch";
import { ExtractorError, GoNotFoundError, GorootError } from "./errors.js";
import { type GoFixtures, readFixtureDir } from "./fixtures.js";

/** Directory of the extractor's Go module. */
export const extractorDir: string = fileURLToPath(new URL("../extract/", import.meta.url));

/** Environment variables that name a version's GOROOT, checked first. */
export const gorootEnv: Readonly<Record<GoVersion, string>> = Object.freeze({
  "1.19": "GOMALLOC_GOROOT_1_19",
  "1.26": "GOMALLOC_GOROOT_1_26",
});

const fallbackGoroots: Readonly<Record<GoVersion, readonly string[]>> = {
  "1.19": ["/usr/lib/go-1.19"],
  "1.26": ["/usr/local/go"],
};

const isExecutable = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The `go` command: the first `go` on `env.PATH`, else the first of
 * `fallbacks` that exists (default /usr/local/go/bin/go); undefined when none.
 */
export function findGo(
  env: NodeJS.ProcessEnv = process.env,
  fallbacks: readonly string[] = ["/usr/local/go/bin/go"],
): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && isExecutable(join(dir, "go"))) return join(dir, "go");
  }
  return fallbacks.find(isExecutable);
}

/** The Go version a GOROOT holds (`go1.26.8`), from its VERSION file; throws GorootError. */
export function readGorootVersion(goroot: string): string {
  let text: string;
  try {
    text = readFileSync(join(goroot, "VERSION"), "utf8");
  } catch {
    throw new GorootError(goroot, "no VERSION file");
  }
  if (!existsSync(join(goroot, "src", "runtime"))) throw new GorootError(goroot, "no src/runtime");
  const v = text.split("\n")[0]?.trim() ?? "";
  if (!/^go1\.\d+/.test(v)) throw new GorootError(goroot, `VERSION says ${JSON.stringify(v)}`);
  return v;
}

function releaseOf(goVersion: string): string {
  return /^go(1\.\d+)/.exec(goVersion)?.[1] ?? "";
}

function holds(goroot: string | undefined, version: GoVersion): goroot is string {
  if (goroot === undefined || goroot === "") return false;
  try {
    return releaseOf(readGorootVersion(goroot)) === version;
  } catch {
    return false;
  }
}

/**
 * The GOROOT of a Go version on this machine, or undefined: the path in
 * `GOMALLOC_GOROOT_1_19` / `GOMALLOC_GOROOT_1_26`, else `go env GOROOT` when
 * that is the right release, else /usr/lib/go-1.19 (Debian's golang-1.19-src)
 * or /usr/local/go. A candidate counts only if its VERSION names the release.
 */
export function defaultGoroot(version: GoVersion, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env[gorootEnv[version]];
  if (fromEnv !== undefined && fromEnv !== "") return holds(fromEnv, version) ? fromEnv : undefined;
  const go = findGo(env);
  if (go !== undefined) {
    try {
      const root = execFileSync(go, ["env", "GOROOT"], {
        encoding: "utf8",
        env: { ...env, GOTOOLCHAIN: "local" },
      }).trim();
      if (holds(root, version)) return root;
    } catch {
      // fall through to the usual places
    }
  }
  return fallbackGoroots[version].find((r) => holds(r, version));
}

/** Options of {@link runExtractor}. */
export interface ExtractorOptions {
  /** GOROOTs to extract, one per Go release. */
  readonly goroots: readonly string[];
  /** The `go` command (default {@link findGo}). */
  readonly go?: string;
  /** Where to write `go1.N/` directories; default a temporary directory removed afterwards. */
  readonly outDir?: string;
  /** Only these `goos/goarch` pairs (default every pair of `go tool dist list`). */
  readonly pairs?: readonly string[];
  /** Kill the extractor after this long (default 5 minutes). */
  readonly timeoutMs?: number;
}

/** What the extractor wrote for one GOROOT: the parsed fixtures and the exact file texts. */
export interface Extracted extends GoFixtures {
  readonly goroot: string;
  /** `constants.json`, `sizeclasses.json`, `meta.json` as written. */
  readonly files: Readonly<Record<string, string>>;
}

/** The fixture files the extractor writes per version. */
export const fixtureFiles = ["constants.json", "sizeclasses.json", "meta.json"] as const;

/**
 * Runs the extractor over `goroots` (in parallel inside one process) and
 * returns its output per release (`1.19`, `1.26`, or another release for a
 * tree without profiles). Throws GoNotFoundError, GorootError or
 * ExtractorError.
 */
export async function runExtractor(options: ExtractorOptions): Promise<Map<string, Extracted>> {
  const go = options.go ?? findGo();
  if (go === undefined) throw new GoNotFoundError();
  if (options.goroots.length === 0) throw new GorootError("(none)", "no GOROOT given");
  const releases = options.goroots.map((r) => releaseOf(readGorootVersion(r)));
  const out = options.outDir ?? mkdtempSync(join(tmpdir(), "gomalloc-extract-"));
  const args = ["run", ".", "-q", "-out", out];
  if (options.pairs !== undefined) args.push("-pairs", options.pairs.join(","));
  args.push(...options.goroots);
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        go,
        args,
        {
          cwd: extractorDir,
          env: { ...process.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: "-buildvcs=false" },
          timeout: options.timeoutMs ?? 300_000,
          maxBuffer: 16 << 20,
        },
        (err, _stdout, stderr) => {
          if (err) {
            const code = typeof err.code === "number" ? err.code : null;
            reject(new ExtractorError(code, stderr || err.message));
          } else resolve();
        },
      );
    });
    const result = new Map<string, Extracted>();
    options.goroots.forEach((goroot, i) => {
      const release = releases[i] as string;
      const dir = join(out, `go${release}`);
      const files: Record<string, string> = {};
      for (const f of fixtureFiles) files[f] = readFileSync(join(dir, f), "utf8");
      result.set(release, Object.freeze({ ...readFixtureDir(dir), goroot, files: Object.freeze(files) }));
    });
    return result;
  } finally {
    if (options.outDir === undefined) rmSync(out, { recursive: true, force: true });
  }
}
