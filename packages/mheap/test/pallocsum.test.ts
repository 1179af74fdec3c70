import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { PallocBits } from "../src/mpallocbits.js";
import {
  mergeSummaries,
  packPallocSumHi,
  packPallocSumLo,
  pallocSumEnd,
  pallocSumMax,
  pallocSumStart,
  writePallocSum,
} from "../src/pallocsum.js";

/** Go's packPallocSum on BigInt: the reference bit layout. */
function packRef(start: number, max: number, end: number, L: number): bigint {
  const M = 2 ** L;
  if (max === M) return 1n << 63n;
  const m = BigInt(M - 1);
  return (BigInt(start) & m) | ((BigInt(max) & m) << BigInt(L)) | ((BigInt(end) & m) << BigInt(2 * L));
}

describe("pallocSum packing (Go's bit layout on u32 pairs)", () => {
  for (const L of [15, 18, 21]) {
    test.prop([fc.nat(2 ** L - 1), fc.nat(2 ** L - 1), fc.nat(2 ** L - 1)])(
      `L = ${L}: pack matches BigInt, unpack inverts`,
      (a, b, c) => {
        const lo = packPallocSumLo(a, b, c, L);
        const hi = packPallocSumHi(a, b, c, L);
        const ref = packRef(a, b, c, L);
        expect(lo).toBe(Number(ref & 0xffffffffn));
        expect(hi).toBe(Number(ref >> 32n));
        expect([pallocSumStart(lo, hi, L), pallocSumMax(lo, hi, L), pallocSumEnd(lo, hi, L)]).toEqual([a, b, c]);
      },
    );
    it(`L = ${L}: a wholly free root entry is bit 63 alone`, () => {
      const M = 2 ** L;
      expect([packPallocSumLo(M, M, M, L), packPallocSumHi(M, M, M, L)]).toEqual([0, 0x80000000]);
      expect([
        pallocSumStart(0, 0x80000000, L),
        pallocSumMax(0, 0x80000000, L),
        pallocSumEnd(0, 0x80000000, L),
      ]).toEqual([M, M, M]);
    });
  }
});

describe("mergeSummaries against summarizing the concatenated bitmap", () => {
  // Eight 64-page children make one 512-page parent; L = 15 (js/wasm geometry).
  test.prop([fc.array(fc.tuple(fc.boolean(), fc.nat(63), fc.nat(63)), { minLength: 8, maxLength: 8 })])(
    "8 children of 64 pages",
    (kids) => {
      const L = 15;
      const whole = new Uint32Array(16);
      const sums = new Uint32Array(16);
      const child = new PallocBits(64);
      kids.forEach(([full, a, n], k) => {
        const u = new Uint32Array(2);
        if (full) u.fill(0xffffffff);
        for (let i = a; i < Math.min(64, a + n); i++) u[i >>> 5]! |= 1 << (i & 31);
        whole.set(u, 2 * k);
        child.at(u, 0).summarize();
        writePallocSum(sums, 2 * k, child.sumStart, child.sumMax, child.sumEnd, L);
      });
      const out = new Uint32Array(2);
      mergeSummaries(sums, 0, 8, 6, out, 0, L);
      const parent = new PallocBits(512).at(whole, 0);
      parent.summarize();
      expect([
        pallocSumStart(out[0]!, out[1]!, L),
        pallocSumMax(out[0]!, out[1]!, L),
        pallocSumEnd(out[0]!, out[1]!, L),
      ]).toEqual([parent.sumStart, parent.sumMax, parent.sumEnd]);
    },
  );
});
