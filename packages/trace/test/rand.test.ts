import { fc, test as ptest } from "@fast-check/vitest";
import { Geometric, InvalidTraceOption, TraceRand } from "@gomalloc/trace";
import { describe, expect, test } from "vitest";

// xoshiro128** written from the reference C text over BigInt words (a slow oracle).
function xoshiroOracle(state: bigint[]): () => number {
  const M = 0xffffffffn;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (32n - k))) & M;
  const s = [...state];
  return () => {
    const result = (rotl((s[1]! * 5n) & M, 7n) * 9n) & M;
    const t = (s[1]! << 9n) & M;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11n);
    return Number(result);
  };
}

// splitmix32-style seeding as documented in rand.ts, over BigInt.
function seedOracle(seed: number): bigint[] {
  const M = 0xffffffffn;
  const b = BigInt(seed);
  let x = ((b & M) ^ (((b >> 32n) * 0x632be5abn) & M)) & M;
  const out: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9n) & M;
    let z = x;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
    out.push((z ^ (z >> 16n)) & M);
  }
  if (out.every((w) => w === BigInt(0))) out[0] = BigInt(1);
  return out;
}

describe("TraceRand", () => {
  ptest.prop([fc.maxSafeNat()])("equals the xoshiro128** reference over BigInt", (seed) => {
    const r = new TraceRand(seed);
    const o = xoshiroOracle(seedOracle(seed));
    for (let i = 0; i < 20; i++) expect(r.u32()).toBe(o());
  });

  ptest.prop([fc.maxSafeNat(), fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: -50, max: 50 })])(
    "float in [0, 1), below(n) in [0, n), between(lo, hi) in [lo, hi]",
    (seed, n, lo) => {
      const r = new TraceRand(seed);
      for (let i = 0; i < 50; i++) {
        const f = r.float();
        expect(f >= 0 && f < 1).toBe(true);
        const b = r.below(n);
        expect(Number.isInteger(b) && b >= 0 && b < n).toBe(true);
        const c = r.between(lo, lo + 3);
        expect(c >= lo && c <= lo + 3).toBe(true);
      }
    },
  );

  test("between covers every value of a small range about equally", () => {
    const r = new TraceRand(42);
    const counts = new Array(8).fill(0);
    for (let i = 0; i < 80000; i++) counts[r.between(0, 7)]++;
    // Expected 10000 each, σ ≈ 94: 6σ bounds.
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(570);
  });

  test("rejects seeds that are not safe non-negative integers", () => {
    for (const s of [-1, 1.5, 2 ** 53, Number.NaN]) expect(() => new TraceRand(s)).toThrow(InvalidTraceOption);
  });
});

describe("Geometric", () => {
  for (const mean of [1, 2, 16, 512, 100000]) {
    test(`mean ${mean}: sample mean and survival P(L > k) = (1 - 1/mean)^k within 6σ`, () => {
      const g = new Geometric(mean);
      const r = new TraceRand(mean);
      const n = 40000;
      const draws = new Float64Array(n);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        draws[i] = g.draw(r);
        expect(Number.isInteger(draws[i]) && draws[i]! >= 1).toBe(true);
        sum += draws[i]!;
      }
      if (mean === 1) {
        expect(sum).toBe(n);
        return;
      }
      const sd = Math.sqrt(mean * (mean - 1)); // of one geometric variate
      expect(Math.abs(sum / n - mean)).toBeLessThan((6 * sd) / Math.sqrt(n));
      const q = 1 - 1 / mean;
      for (const k of [1, Math.ceil(mean / 2), Math.ceil(mean), Math.ceil(2 * mean)]) {
        const p = q ** k;
        const got = draws.filter((x) => x > k).length / n;
        expect(Math.abs(got - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / n) + 1e-9);
      }
    });
  }

  test("rejects means below 1 or not finite", () => {
    for (const m of [0, 0.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new Geometric(m)).toThrow(InvalidTraceOption);
    }
  });
});
