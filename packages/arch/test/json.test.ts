import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import {
  constantCatalog,
  constantNames,
  constantToJSON,
  getConstant,
  getProfile,
  getProfileByPair,
  goVersions,
  listPairs,
  profileEntries,
  profilesToJSON,
  profileToJSON,
  UnknownConstantError,
  UnknownGoVersionError,
} from "../src/index.js";

describe("profileToJSON", () => {
  test("linux/amd64 in the fixture format", () => {
    const j = profileToJSON(getProfile("1.26", "linux", "amd64"));
    expect(j.heapAddrBits).toBe(48);
    expect(j.arenaBaseOffset).toBe("18446603336221196288");
    expect(j.BigEndian).toBe(false);
    expect(j.levelShift).toEqual([34, 31, 28, 25, 22]);
    expect(Object.keys(j)).toEqual(constantNames("1.26"));
    expect(j._PageShift).toBeUndefined();
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });

  const entryArb = fc
    .constantFrom(...goVersions)
    .chain((v) =>
      fc.tuple(fc.constantFrom(...listPairs(v)), fc.constantFrom(...constantNames(v))).map((t) => [v, ...t]),
    );

  propTest.prop([entryArb])("JSON decodes back to the exact value", ([v, pair, name]) => {
    const p = getProfileByPair(v as string, pair as string);
    const value = getConstant(p, name as string);
    const decoded = JSON.parse(JSON.stringify(profileToJSON(p)))[name as string];
    if (typeof value === "bigint") {
      expect(typeof decoded).toBe("string");
      expect(BigInt(decoded)).toBe(value);
      expect(value > 2n ** 53n).toBe(true);
    } else {
      expect(decoded).toEqual(value);
    }
  });

  test("constantToJSON copies arrays and stringifies bigints only", () => {
    const arr = Object.freeze([1, 2]);
    const out = constantToJSON(arr);
    expect(out).toEqual([1, 2]);
    expect(out).not.toBe(arr);
    expect(constantToJSON(2n ** 60n)).toBe("1152921504606846976");
    expect(constantToJSON(0.7)).toBe(0.7);
    expect(constantToJSON(true)).toBe(true);
  });

  test("profilesToJSON covers every pair in dist-list order", () => {
    expect(Object.keys(profilesToJSON("go1.19.8"))).toEqual(listPairs("1.19"));
    expect(() => profilesToJSON("1.20")).toThrow(UnknownGoVersionError);
  });
});

describe("getConstant", () => {
  test("Go names, and Go 1.19 names on 1.26 profiles", () => {
    const p = getProfile("1.26", "windows", "amd64");
    expect(getConstant(p, "fixedStack")).toBe(8192);
    expect(getConstant(p, "_FixedStack")).toBe(8192);
    expect(getConstant(p, "_PageShift")).toBe(13);
    expect(getConstant(p, "PageShift")).toBe(13);
  });

  test.each([
    ["1.19", "PageShift"],
    ["1.19", "heapArenaBitmapWords"],
    ["1.26", "heapArenaBitmapBytes"],
    ["1.26", "goVersion"],
    ["1.26", "toString"],
    ["1.26", "__proto__"],
  ])("Go %s has no %s", (v, name) => {
    const p = getProfile(v, "linux", "amd64");
    try {
      getConstant(p, name);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownConstantError);
      expect((e as UnknownConstantError)._tag).toBe("UnknownConstantError");
      expect((e as UnknownConstantError).constant).toBe(name);
      expect((e as UnknownConstantError).goVersion).toBe(v);
    }
  });

  test("profileEntries follows the catalogue", () => {
    for (const v of goVersions) {
      const p = getProfile(v, "js", "wasm");
      expect(profileEntries(p).map(([n]) => n)).toEqual(constantCatalog(v).map((c) => c.name));
    }
  });
});
