import { describe, expect, test } from "vitest";
import {
  constantCatalog,
  constantInfoOf,
  type GoVersion,
  goarchInputs,
  goVersions,
  hasPair,
  knownGoos,
  listPairs,
  resolveConstantName,
  UnknownGoVersionError,
} from "../src/index.js";

describe("listPairs (go tool dist list)", () => {
  test("Go 1.19 has 46 ports and Go 1.26 has 47, sorted and unique", () => {
    expect(listPairs("1.19")).toHaveLength(46);
    expect(listPairs("1.26")).toHaveLength(47);
    for (const v of goVersions) {
      const pairs = listPairs(v);
      expect([...pairs].sort()).toEqual(pairs);
      expect(new Set(pairs).size).toBe(pairs.length);
    }
  });

  test("the ports Go 1.26 added and dropped", () => {
    const a = new Set(listPairs("1.19"));
    const b = new Set(listPairs("1.26"));
    expect([...b].filter((p) => !a.has(p))).toEqual(["openbsd/ppc64", "openbsd/riscv64", "wasip1/wasm"]);
    expect([...a].filter((p) => !b.has(p))).toEqual(["openbsd/mips64", "windows/arm"]);
  });

  test("every pair has known inputs", () => {
    for (const v of goVersions) {
      for (const pair of listPairs(v)) {
        const [goos, goarch] = pair.split("/") as [string, string];
        expect(knownGoos).toContain(goos);
        expect(goarchInputs(v, goarch), `${v} ${pair}`).toBeDefined();
        expect(hasPair(v, goos, goarch)).toBe(true);
      }
    }
  });

  test("accepts version spellings and refuses unknown versions", () => {
    expect(listPairs("go1.26.8")).toBe(listPairs("1.26"));
    expect(() => listPairs("1.18")).toThrow(UnknownGoVersionError);
  });

  test("functions typed GoVersion refuse other strings with UnknownGoVersionError (a TypeError from inside before)", () => {
    for (const v of ["1.20", "", "go1.26", "__proto__", "constructor", "toString"]) {
      const version = v as GoVersion;
      expect(() => hasPair(version, "linux", "amd64")).toThrow(UnknownGoVersionError);
      expect(() => goarchInputs(version, "amd64")).toThrow(UnknownGoVersionError);
      expect(() => constantCatalog(version)).toThrow(UnknownGoVersionError);
      expect(() => resolveConstantName(version, "PageShift")).toThrow(UnknownGoVersionError);
      expect(() => constantInfoOf(version, "PageShift")).toThrow(UnknownGoVersionError);
    }
    expect(resolveConstantName("1.26", "_PageShift")).toBe("PageShift");
    expect(constantInfoOf("1.26", "nope")).toBeUndefined();
  });

  test("hasPair refuses broken and dropped ports", () => {
    expect(hasPair("1.26", "linux", "sparc64")).toBe(false);
    expect(hasPair("1.26", "windows", "arm")).toBe(false);
    expect(hasPair("1.19", "windows", "arm")).toBe(true);
    expect(hasPair("1.19", "wasip1", "wasm")).toBe(false);
  });
});
