import { describe, expect, it } from "vitest";
import {
  defaultSizeClasses,
  makeSpanClass,
  noscan,
  numSizeClasses,
  numSpanClasses,
  SizeClassRangeError,
  sizeclass,
  tinySpanClass,
} from "../src/index.js";

describe("spanClass (mheap.go)", () => {
  it("numSpanClasses = _NumSizeClasses << 1, tinySpanClass = tinySizeClass<<1 | 1", () => {
    expect(numSpanClasses).toBe(136);
    expect(tinySpanClass).toBe(5);
    expect(sizeclass(tinySpanClass)).toBe(defaultSizeClasses.tinySizeClass);
    expect(noscan(tinySpanClass)).toBe(true);
  });

  it("makeSpanClass, sizeclass and noscan round-trip for every span class", () => {
    const seen = new Set<number>();
    for (let c = 0; c < numSizeClasses; c++) {
      for (const ns of [false, true]) {
        const spc = makeSpanClass(c, ns);
        expect([sizeclass(spc), noscan(spc)]).toEqual([c, ns]);
        expect(spc).toBe(defaultSizeClasses.makeSpanClass(c, ns));
        seen.add(spc);
      }
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: numSpanClasses }, (_, i) => i));
  });

  it.each([
    ["makeSpanClass(68)", () => makeSpanClass(68, false)],
    ["makeSpanClass(-1)", () => makeSpanClass(-1, true)],
    ["sizeclass(136)", () => sizeclass(136)],
    ["sizeclass(1.5)", () => sizeclass(1.5)],
    ["noscan(-2)", () => noscan(-2)],
    ["noscan(NaN)", () => noscan(Number.NaN)],
  ])("%s throws SizeClassRangeError", (_, f) => {
    expect(f).toThrow(SizeClassRangeError);
  });
});
