import { fc, test as propTest } from "@fast-check/vitest";
import { describe, expect, test } from "vitest";
import { goVersions, isGoVersion, parseGoVersion, UnknownGoVersionError } from "../src/index.js";

describe("parseGoVersion", () => {
  test.each([
    ["1.19", "1.19"],
    ["go1.19", "1.19"],
    ["1.19.8", "1.19"],
    ["go1.19.8", "1.19"],
    ["go1.26.8", "1.26"],
    ["1.26", "1.26"],
    ["go1.26rc1", "1.26"],
    [" 1.26 ", "1.26"],
  ])("%j is Go %s", (input, want) => {
    expect(parseGoVersion(input)).toBe(want);
  });

  test.each(["1.20", "go1.25.3", "2.0", "1", "", "1.19x", "go1.190", "latest"])("%j is refused", (input) => {
    const err = (() => {
      try {
        parseGoVersion(input);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(UnknownGoVersionError);
    expect((err as UnknownGoVersionError)._tag).toBe("UnknownGoVersionError");
    expect((err as UnknownGoVersionError).version).toBe(input);
    expect((err as UnknownGoVersionError).known).toEqual(goVersions);
    expect((err as Error).message).toContain("known versions are 1.19, 1.26");
  });

  propTest.prop([fc.string()])("any string is a known version or an UnknownGoVersionError", (s) => {
    try {
      const v = parseGoVersion(s);
      expect(isGoVersion(v)).toBe(true);
      expect(s).toContain(v);
    } catch (e) {
      expect(e).toBeInstanceOf(UnknownGoVersionError);
    }
  });
});

describe("isGoVersion", () => {
  test("only the exact release names", () => {
    expect(goVersions.every(isGoVersion)).toBe(true);
    expect(isGoVersion("go1.19")).toBe(false);
    expect(isGoVersion("1.19.8")).toBe(false);
  });
});
