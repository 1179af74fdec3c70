import { defaultGoroot, findGo } from "@gomalloc/conformance";
import { describe, expect, test, vi } from "vitest";
import { run } from "./run.js";

const canExtract = findGo() !== undefined && defaultGoroot("1.26") !== undefined;

describe("gomalloc conformance", () => {
  test("--fixtures: a pass/fail table per version, exit 0", async () => {
    const r = await run("conformance", "--fixtures");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^Go 1\.19 constants vs fixtures \(go1\.19\.\d+\)\n {2}pair +checked +result\n/);
    expect(r.out).toContain("\nGo 1.26 constants vs fixtures (go1.26.");
    expect(r.out).toMatch(/ {2}linux\/amd64 +98 +pass\n/);
    expect(r.out).toContain("  46 pairs: 46 passed, 0 failed;");
    expect(r.out).toContain("  47 pairs: 47 passed, 0 failed;");
  });

  test("--go 1.26 extracts live from the installed tree when go is available", async () => {
    const r = await run("conformance", "--go", "1.26");
    expect(r.code).toBe(0);
    const first = r.out.split("\n")[0];
    if (canExtract) expect(first).toMatch(/^Go 1\.26 constants vs live go1\.26\.\d+ \(.+\)$/);
    else expect(first).toMatch(/^Go 1\.26 constants vs fixtures/);
    expect(r.out).not.toContain("Go 1.19");
  });

  test("without a Go tree it says so and falls back to the fixtures", async () => {
    const saved = process.env.GOMALLOC_GOROOT_1_26;
    process.env.GOMALLOC_GOROOT_1_26 = "/nonexistent";
    try {
      const r = await run("conformance", "--go", "1.26");
      expect(r.code).toBe(0);
      expect(r.err).toMatch(
        /^gomalloc conformance: no (Go tree|`go` command) found for Go 1\.26; using the checked-in fixtures\n$/,
      );
      expect(r.out).toMatch(/^Go 1\.26 constants vs fixtures \(go1\.26\.\d+\)\n/);
    } finally {
      if (saved === undefined) delete process.env.GOMALLOC_GOROOT_1_26;
      else process.env.GOMALLOC_GOROOT_1_26 = saved;
    }
  });

  test("--goroot picks the version from the tree; --json prints reports", async (ctx) => {
    const root = defaultGoroot("1.19");
    if (root === undefined || findGo() === undefined) return ctx.skip();
    const r = await run("conformance", "--goroot", root, "--json");
    expect(r.code).toBe(0);
    const reports = JSON.parse(r.out);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ goVersion: "1.19", ok: true, failed: 0 });
    expect(reports[0].source).toMatch(/^live go1\.19\.\d+ \(/);
    expect(reports[0].source).toContain(root);
    expect(reports[0].pairs).toHaveLength(46);
  });

  test.each([
    [["--go", "1.22"], 'gomalloc conformance: unknown Go version "1.22": known versions are 1.19, 1.26\n'],
    [["--goroot", "/nonexistent"], "gomalloc conformance: /nonexistent is not a Go source tree: no VERSION file\n"],
  ])("%j is refused with exit code 2", async (args, message) => {
    const r = await run("conformance", ...args);
    expect(r.code).toBe(2);
    expect(r.err).toBe(message);
    expect(r.out).toBe("");
  });

  test("--goroot of one version with --go of another is refused", async (ctx) => {
    const root = defaultGoroot("1.19");
    if (root === undefined) return ctx.skip();
    const r = await run("conformance", "--goroot", root, "--go", "1.26");
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^gomalloc conformance: --go 1\.26 but .* holds go1\.19\.\d+\n$/);
  });

  test("a mismatch prints the difference and exits 1", async () => {
    vi.resetModules();
    vi.doMock("@gomalloc/arch", async (importOriginal) => {
      const arch = await importOriginal<typeof import("@gomalloc/arch")>();
      return {
        ...arch,
        profilesToJSON: (v: string) => {
          const all = arch.profilesToJSON(v);
          const amd64 = all["linux/amd64"];
          if (amd64 !== undefined) all["linux/amd64"] = { ...amd64, heapArenaBytes: 1 << 20 };
          return all;
        },
      };
    });
    try {
      const { run: runMocked } = await import("./run.js");
      const r = await runMocked("conformance", "--fixtures", "--go", "1.26");
      expect(r.code).toBe(1);
      expect(r.out).toMatch(
        / {2}linux\/amd64 +98 +FAIL \(1\)\n {6}go1\.26 linux\/amd64 heapArenaBytes: expected 67108864, actual 1048576\n/,
      );
      expect(r.out).toContain("  47 pairs: 46 passed, 1 failed;");
    } finally {
      vi.doUnmock("@gomalloc/arch");
      vi.resetModules();
    }
  });
});
