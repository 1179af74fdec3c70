import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { firstBadOffset, mulhi32 } from "../src/divmagic.js";
import { defaultSizeClasses, divideByElemSize, divMagic, SizeClassRangeError } from "../src/index.js";

const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const hi32 = (n: number, m: number) => Number((BigInt(n) * BigInt(m)) >> 32n);

describe("divideByElemSize (mspan.divideByElemSize)", () => {
  it("equals BigInt (n * divMul) >> 32 and n / size for every class and every offset of its span", () => {
    const t = defaultSizeClasses;
    for (let c = 1; c < t.numSizeClasses; c++) {
      const size = t.class_to_size[c]!;
      const m = t.class_to_divmagic[c]!;
      const bm = BigInt(m);
      const max = t.class_to_allocnpages[c]! * t.pageSize;
      for (let n = 0; n <= max; n++) {
        const q = divideByElemSize(n, m);
        if (q !== Number((BigInt(n) * bm) >> 32n) || q !== Math.floor(n / size)) {
          expect.fail(`class ${c} size ${size} n ${n}: got ${q}`);
        }
      }
    }
  });

  test.prop([u32, u32], { numRuns: 2000 })("equals the BigInt high word for any two uint32s", (n, m) => {
    expect(divideByElemSize(n, m)).toBe(hi32(n, m));
  });

  it("is exact at the corners", () => {
    const max = 2 ** 32 - 1;
    for (const [n, m] of [
      [0, 0],
      [max, max],
      [max, 1],
      [1, max],
      [2 ** 31, 2 ** 31],
      [max, 2 ** 16],
      [2 ** 16 - 1, 2 ** 16 + 1],
    ] as const) {
      expect(divideByElemSize(n, m), `${n} * ${m}`).toBe(hi32(n, m));
    }
  });

  it.each([
    [-1, 1],
    [1.5, 1],
    [2 ** 32, 1],
    [Number.NaN, 1],
    [1, -1],
    [1, 2 ** 32],
    [1, 0.5],
  ])("refuses divideByElemSize(%d, %d) with SizeClassRangeError", (n, m) => {
    expect(() => divideByElemSize(n, m)).toThrow(SizeClassRangeError);
  });
});

describe("divMagic (^uint32(0)/size + 1)", () => {
  test.prop([fc.integer({ min: 1, max: 2 ** 32 - 1 })], { numRuns: 1000 })("matches uint32 arithmetic", (size) => {
    expect(divMagic(size)).toBe(Number(((2n ** 32n - 1n) / BigInt(size) + 1n) % 2n ** 32n));
  });

  it("wraps to 0 for size 1, as in Go", () => {
    expect(divMagic(1)).toBe(0);
    expect(divMagic(8)).toBe(2 ** 29);
  });

  it.each([0, -8, 8.5, 2 ** 32])("refuses size %d", (size) => {
    expect(() => divMagic(size)).toThrow(SizeClassRangeError);
  });
});

describe("firstBadOffset (the generator's 'bad 32-bit multiply magic' check)", () => {
  const slow = (d: number, m: number, max: number) => {
    for (let n = 0; n <= max; n++) if (hi32(n, m) !== Math.floor(n / d)) return n;
    return -1;
  };

  test.prop(
    [fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 20000 })],
    { numRuns: 300 },
  )("finds the same first bad offset as Go's loop over every offset, for any multiplier", (d, m, max) => {
    expect(firstBadOffset(d, m, max)).toBe(slow(d, m, max));
  });

  test.prop([fc.integer({ min: 2, max: 5000 }), fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 40000 })], {
    numRuns: 300,
  })("agrees near the correct magic, where failures are rare", (d, delta, max) => {
    const m = (divMagic(d) + delta) >>> 0;
    expect(firstBadOffset(d, m, max)).toBe(slow(d, m, max));
  });

  it("agrees with mulhi32 on the default tables (no bad offset)", () => {
    const t = defaultSizeClasses;
    for (let c = 1; c < t.numSizeClasses; c++) {
      expect(
        firstBadOffset(t.class_to_size[c]!, t.class_to_divmagic[c]!, t.class_to_allocnpages[c]! * t.pageSize),
      ).toBe(-1);
      expect(mulhi32(t.class_to_allocnpages[c]! * t.pageSize, t.class_to_divmagic[c]!)).toBe(t.class_to_nelems[c]);
    }
  });
});
