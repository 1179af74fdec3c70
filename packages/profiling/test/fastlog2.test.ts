import { fc, test as ptest } from "@fast-check/vitest";
import { computeFastlog2Table, fastlog2, fastlog2Table, fastlogNumBits, frexp } from "@gomalloc/profiling";
import { describe, expect, test } from "vitest";
import { vectors } from "./govectors.js";

const bits = (x: number): bigint => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x, true);
  return dv.getBigUint64(0, true);
};

describe("mkfastlog2table computeTable", () => {
  for (const { name, v } of vectors) {
    test(`equals the runtime's fastlog2Table bit for bit (${name})`, () => {
      expect(fastlogNumBits).toBe(v.fastlogNumBits);
      expect(fastlog2Table.length).toBe(33);
      expect(fastlog2Table.map(bits)).toEqual(v.fastlog2Table.map(bits));
      expect(Array.from(computeFastlog2Table()).map(bits)).toEqual(v.fastlog2Table.map(bits));
    });
  }
});

describe("fastlog2", () => {
  for (const { name, v } of vectors) {
    test(`matches runtime.fastlog2 on ${v.fastlog2.length} inputs (${name})`, () => {
      const mismatches = v.fastlog2.filter(({ x, y }) => bits(fastlog2(x)) !== bits(y));
      expect(mismatches).toEqual([]);
    });
  }

  // Slow oracle: the same interpolation computed from BigInt bit fields.
  ptest.prop([fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true })])(
    "equals a BigInt bit-field oracle",
    (x) => {
      const b = bits(x);
      const exp = Number((b >> 52n) & 0x7ffn) - 1023;
      const idx = Number((b >> 47n) % 32n);
      const scale = Number((b >> 27n) % (1n << 20n));
      const lo = fastlog2Table[idx]!;
      const hi = fastlog2Table[idx + 1]!;
      expect(fastlog2(x)).toBe(exp + lo + (hi - lo) * scale * (1 / 2 ** 20));
    },
  );

  ptest.prop([fc.integer({ min: 1, max: 2 ** 26 })])("stays within 0.01 of log2 for every q a sample can draw", (q) => {
    expect(Math.abs(fastlog2(q) - Math.log2(q))).toBeLessThan(0.01);
    expect(fastlog2(q)).toBeLessThanOrEqual(Math.log2(q) + 1e-12);
  });
});

describe("frexp", () => {
  ptest.prop([fc.double({ noNaN: true, noDefaultInfinity: true })])("splits x into frac in [0.5, 1) and exp", (x) => {
    const [frac, exp] = frexp(x);
    if (x === 0) {
      expect(Object.is(frac, x)).toBe(true);
      expect(exp).toBe(0);
      return;
    }
    expect(Math.abs(frac)).toBeGreaterThanOrEqual(0.5);
    expect(Math.abs(frac)).toBeLessThan(1);
    // frac * 2^exp, computed in two steps so 2^exp itself never overflows.
    const half = Math.trunc(exp / 2);
    expect(frac * 2 ** half * 2 ** (exp - half)).toBe(x);
  });

  test("returns ±Inf and NaN unchanged with exponent 0", () => {
    expect(frexp(Number.POSITIVE_INFINITY)).toEqual([Number.POSITIVE_INFINITY, 0]);
    expect(frexp(Number.NEGATIVE_INFINITY)).toEqual([Number.NEGATIVE_INFINITY, 0]);
    const [n, e] = frexp(Number.NaN);
    expect(Number.isNaN(n)).toBe(true);
    expect(e).toBe(0);
    expect(frexp(5e-324)).toEqual([0.5, -1073]);
  });
});
