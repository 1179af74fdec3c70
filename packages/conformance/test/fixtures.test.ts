import { goVersions } from "@gomalloc/arch";
import { describe, expect, test } from "vitest";
import {
  DumpFormatError,
  loadFixtures,
  parseConstants,
  parseFixtureValue,
  readFixtureDir,
  sizeClassTableNames,
  sizeClassTables,
} from "../src/index.js";

describe("loadFixtures", () => {
  test.each(goVersions)("Go %s fixtures are self-consistent", (v) => {
    const fx = loadFixtures(v);
    expect(fx.release).toBe(v);
    expect(fx.goVersion.startsWith(`go${v}`)).toBe(true);
    expect(fx.sizeclasses.goVersion).toBe(fx.goVersion);
    expect(loadFixtures(`go${v}`)).toBe(fx);
    const names = Object.keys(fx.meta.constants);
    for (const [pair, consts] of Object.entries(fx.constants)) expect(Object.keys(consts), pair).toEqual(names);
  });

  test("size-class tables under version-independent names, sized by Go's scalars", () => {
    for (const v of goVersions) {
      const fx = loadFixtures(v).sizeclasses;
      const t = sizeClassTables(v);
      const c = fx.constants;
      const [n, maxSmall, div8, max8, div128] =
        v === "1.19"
          ? [c._NumSizeClasses, c._MaxSmallSize, c.smallSizeDiv, c.smallSizeMax, c.largeSizeDiv]
          : [c.NumSizeClasses, c.MaxSmallSize, c.SmallSizeDiv, c.SmallSizeMax, c.LargeSizeDiv];
      expect(t.classToSize).toHaveLength(n as number);
      expect(t.classToAllocNPages).toHaveLength(n as number);
      expect(t.classToDivMagic).toHaveLength(n as number);
      expect(t.sizeToClass8).toHaveLength((max8 as number) / (div8 as number) + 1);
      expect(t.sizeToClass128).toHaveLength(((maxSmall as number) - (max8 as number)) / (div128 as number) + 1);
      expect(Object.keys(fx.tables).sort()).toEqual(Object.values(sizeClassTableNames[v]).sort());
      // Go's generated divmagic is ^uint32(0)/size + 1 for every class.
      t.classToSize.forEach((size, i) => {
        if (i > 0) expect(t.classToDivMagic[i]).toBe(Math.floor(0xffffffff / size) + 1);
      });
    }
  });

  test("a missing table is a DumpFormatError", () => {
    const fx = loadFixtures("1.19").sizeclasses;
    expect(() => sizeClassTables("1.19", { ...fx, tables: {} })).toThrow(DumpFormatError);
  });

  test("readFixtureDir refuses a directory that is not an extractor output", () => {
    expect(() => readFixtureDir("/nonexistent")).toThrow();
  });
});

describe("parseFixtureValue", () => {
  test("accepts the fixture encodings only", () => {
    expect(parseFixtureValue(48, "$")).toBe(48);
    expect(parseFixtureValue("18446603336221196288", "$")).toBe("18446603336221196288");
    expect(parseFixtureValue(false, "$")).toBe(false);
    expect(parseFixtureValue([1, 2], "$")).toEqual([1, 2]);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, "0x10", "", {}, null, undefined, [null]]) {
      expect(() => parseFixtureValue(bad, "$.x"), JSON.stringify(bad)).toThrow(DumpFormatError);
    }
  });

  test("parseConstants requires goos/goarch keys", () => {
    expect(() => parseConstants({ "linux/amd64/x": {} })).toThrow(DumpFormatError);
    expect(() => parseConstants({ "linux amd64": {} })).toThrow(DumpFormatError);
    expect(parseConstants({ "a/b": { x: 1 } })).toEqual({ "a/b": { x: 1 } });
  });
});
