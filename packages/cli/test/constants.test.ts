import { listPairs } from "@gomalloc/arch";
import { loadFixtures } from "@gomalloc/conformance";
import { describe, expect, test } from "vitest";
import { run } from "./run.js";

describe("gomalloc constants", () => {
  test("--json for one pair is that pair in Go's fixture format", async () => {
    const r = await run("constants", "--go", "1.19", "--goos", "linux", "--goarch", "amd64", "--json");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(["linux/amd64"]);
    expect(j["linux/amd64"].heapAddrBits).toBe(48);
    expect(j["linux/amd64"].arenaBaseOffset).toBe("18446603336221196288");
    expect(j["linux/amd64"].BigEndian).toBe(false);
    expect(j).toEqual({ "linux/amd64": loadFixtures("1.19").constants["linux/amd64"] });
  });

  test.each(["1.19", "1.26"])("--all --json for Go %s equals Go's constants.json", async (v) => {
    const r = await run("constants", "--go", v, "--all", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(loadFixtures(v).constants);
  });

  test("a table for one pair, defaulting to Go 1.26 linux/amd64", async () => {
    const r = await run("constants");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe("Go 1.26 linux/amd64: 98 constants, named as Go names them");
    expect(lines.find((l) => l.startsWith("heapArenaBytes "))).toMatch(
      /^heapArenaBytes +67108864 +runtime\/malloc\.go$/,
    );
    expect(lines.find((l) => l.startsWith("arenaBaseOffset "))).toMatch(/0xffff800000000000 \(18446603336221196288\)/);
    expect(lines.find((l) => l.startsWith("levelShift "))).toMatch(
      /\[34, 31, 28, 25, 22\] +runtime\/mpagealloc_32bit\.go, runtime\/mpagealloc_64bit\.go$/,
    );
    expect(r.out).toContain("_PageShift = PageShift");
  });

  test("--all as a table groups pairs by value", async () => {
    const r = await run("constants", "--go", "1.26", "--all");
    expect(r.code).toBe(0);
    const lines = r.out.split("\n");
    expect(lines[0]).toBe(
      `Go 1.26: ${listPairs("1.26").length} pairs, 98 constants; the most common value first, then the pairs that differ`,
    );
    const i = lines.findIndex((l) => l.startsWith("heapArenaBytes "));
    expect(lines.slice(i, i + 3).map((l) => l.replace(/ +/g, " ").trim())).toEqual([
      "heapArenaBytes 67108864 the rest (27)",
      "4194304 android/386 android/arm freebsd/386 freebsd/arm ios/arm64 linux/386 linux/arm linux/mips linux/mipsle netbsd/386 netbsd/arm openbsd/386 openbsd/arm plan9/386 plan9/arm windows/386 windows/amd64 windows/arm64",
      "524288 js/wasm wasip1/wasm",
    ]);
  });

  test("--all with --goos keeps that GOOS's pairs", async () => {
    const r = await run("constants", "--all", "--goos", "plan9", "--json");
    expect(Object.keys(JSON.parse(r.out))).toEqual(["plan9/386", "plan9/amd64", "plan9/arm"]);
  });

  test.each([
    [["--go", "1.20"], 'gomalloc constants: unknown Go version "1.20": known versions are 1.19, 1.26\n'],
    [
      ["--go", "1.26", "--goos", "windows", "--goarch", "arm"],
      "gomalloc constants: Go 1.26 has no port windows/arm (not printed by `go tool dist list`); GOOS=windows supports GOARCH 386, amd64, arm64\n",
    ],
    [
      ["--goos", "haiku"],
      'gomalloc constants: Go 1.26 has no port haiku/amd64 (not printed by `go tool dist list`); run `gomalloc constants --go 1.26 --all` or see listPairs("1.26")\n',
    ],
    [["--all", "--goos", "plan9", "--goarch", "wasm"], "gomalloc constants: Go 1.26 has no pair matching plan9/wasm\n"],
  ])("%j is refused with a clear message and exit code 2", async (args, message) => {
    const r = await run("constants", ...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe(message);
  });

  test.each([[["--bogus"]], [["extra"]], [["--go"]]])(
    "bad arguments %j: commander's message, help, non-zero exit",
    async (args) => {
      const r = await run("constants", ...args);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/^error: /);
      expect(r.err).toContain("Usage: gomalloc constants [options]");
    },
  );

  test("--help lists the options", async () => {
    const r = await run("constants", "--help");
    expect(r.code).toBe(0);
    for (const o of ["--go <version>", "--goos <goos>", "--goarch <goarch>", "--all", "--json"])
      expect(r.out).toContain(o);
  });
});
