// The drift test: re-extract from the installed Go trees and require the
// checked-in fixtures to match byte for byte. Without a Go tree the test is
// skipped locally and FAILS under CI=true (CI installs golang-1.19-src).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GoVersion, goVersions, listPairs } from "@gomalloc/arch";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  compareConstants,
  compareSizeClasses,
  defaultGoroot,
  type Extracted,
  ExtractorError,
  findGo,
  fixtureFiles,
  fixturesDir,
  GoNotFoundError,
  GorootError,
  gorootEnv,
  loadFixtures,
  readGorootVersion,
  runExtractor,
} from "../src/index.js";

const ci = (process.env.CI ?? "") !== "" && process.env.CI !== "false" && process.env.CI !== "0";
const go = findGo();
const roots: Record<GoVersion, string | undefined> = {
  "1.19": defaultGoroot("1.19"),
  "1.26": defaultGoroot("1.26"),
};

function missing(v: GoVersion): string | undefined {
  if (go === undefined) return "no `go` command";
  if (roots[v] === undefined) return `no Go ${v} tree (set ${gorootEnv[v]} or install it)`;
  return undefined;
}

let extracted: Map<string, Extracted> | undefined;
let extractError: unknown;

beforeAll(async () => {
  const available = goVersions.flatMap((v) => (missing(v) === undefined ? [roots[v] as string] : []));
  if (available.length === 0) return;
  try {
    extracted = await runExtractor({ goroots: available });
  } catch (e) {
    extractError = e;
  }
}, 120_000);

describe.each(goVersions)("extractor drift, Go %s", (v) => {
  test("the checked-in fixtures equal a fresh extraction from the installed Go tree", (ctx) => {
    const why = missing(v);
    if (why !== undefined) {
      if (ci) throw new Error(`CI=true but ${why}: the drift test needs Go ${v} (see .ci/setup-machine)`);
      ctx.skip();
      return;
    }
    if (extractError !== undefined) throw extractError;
    const got = extracted?.get(v);
    if (got === undefined) throw new Error(`the extractor wrote nothing for Go ${v}`);
    const fx = loadFixtures(v);
    // Structured first, for readable failures; then byte for byte.
    const issues = compareConstants(`go${v}`, fx.constants, got.constants, true).flatMap((p) => p.issues);
    expect(issues.map((i) => i.message)).toEqual([]);
    expect(compareSizeClasses(`go${v}`, fx.sizeclasses, got.sizeclasses, true).issues).toEqual([]);
    for (const f of fixtureFiles) {
      expect(
        got.files[f],
        `fixtures/go${v}/${f} differs from the extractor's output: run \`pnpm --filter @gomalloc/conformance extract\``,
      ).toBe(readFileSync(join(fixturesDir, `go${v}`, f), "utf8"));
    }
  });

  test("the extractor's pair list is `go tool dist list`'s", (ctx) => {
    const root = roots[v];
    const toolchain = root === undefined ? undefined : join(root, "bin", "go");
    if (toolchain === undefined || !existsSync(toolchain)) {
      if (ci) throw new Error(`CI=true but Go ${v}'s toolchain is missing (golang-${v}-go, see .ci/setup-machine)`);
      ctx.skip();
      return;
    }
    const out = execFileSync(toolchain, ["tool", "dist", "list"], {
      encoding: "utf8",
      env: { ...process.env, GOTOOLCHAIN: "local", GOROOT: root },
    });
    expect(out.trim().split("\n")).toEqual(listPairs(v));
  });
});

describe("runExtractor", () => {
  const tmp = mkdtempSync(join(tmpdir(), "gomalloc-test-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test("a subset of pairs into a chosen directory", async (ctx) => {
    if (missing("1.26") !== undefined) return ctx.skip();
    const out = join(tmp, "subset");
    const r = await runExtractor({
      goroots: [roots["1.26"] as string],
      outDir: out,
      pairs: ["js/wasm", "linux/amd64"],
    });
    const got = r.get("1.26");
    expect(Object.keys(got?.constants ?? {})).toEqual(["js/wasm", "linux/amd64"]);
    expect(got?.constants["js/wasm"]).toEqual(loadFixtures("1.26").constants["js/wasm"]);
    expect(existsSync(join(out, "go1.26", "meta.json"))).toBe(true);
  });

  test("an unknown pair is an ExtractorError carrying Go's message", async (ctx) => {
    if (missing("1.26") !== undefined) return ctx.skip();
    const err = await runExtractor({ goroots: [roots["1.26"] as string], pairs: ["linux/vax"] }).catch((e) => e);
    expect(err).toBeInstanceOf(ExtractorError);
    expect((err as ExtractorError).stderr).toContain("has no pair linux/vax");
    expect((err as ExtractorError).exitCode).toBe(1);
  });

  test("bad GOROOTs and a missing go command are typed errors", async () => {
    const fake = join(tmp, "fake");
    await expect(runExtractor({ goroots: [fake], go: "/bin/true" })).rejects.toBeInstanceOf(GorootError);
    await expect(runExtractor({ goroots: [], go: "/bin/true" })).rejects.toBeInstanceOf(GorootError);
    expect(findGo({ PATH: "" }, [])).toBeUndefined();
    expect(new GoNotFoundError().message).toContain("`go` command was not found");
    if (missing("1.26") === undefined) {
      const err = await runExtractor({ goroots: [roots["1.26"] as string], go: "/bin/false" }).catch((e) => e);
      expect(err).toBeInstanceOf(ExtractorError);
      expect((err as ExtractorError).exitCode).toBe(1);
    }
  });

  test("readGorootVersion and defaultGoroot check the VERSION file", () => {
    const root = join(tmp, "root");
    rmSync(root, { recursive: true, force: true });
    expect(() => readGorootVersion(root)).toThrow(GorootError);
    execFileSync("mkdir", ["-p", join(root, "src", "runtime")]);
    writeFileSync(join(root, "VERSION"), "devel +abc\n");
    expect(() => readGorootVersion(root)).toThrow(/VERSION says "devel \+abc"/);
    writeFileSync(join(root, "VERSION"), "go1.19.13\ntime 2023\n");
    expect(readGorootVersion(root)).toBe("go1.19.13");
    expect(defaultGoroot("1.19", { [gorootEnv["1.19"]]: root, PATH: "" })).toBe(root);
    expect(defaultGoroot("1.26", { [gorootEnv["1.26"]]: root, PATH: "" })).toBeUndefined();
  });
});
