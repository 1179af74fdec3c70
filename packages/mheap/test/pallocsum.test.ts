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
  // Eight children make one parent: 64-page chunks with L = 15 (js/wasm geometry), and
  // 512-page chunks with L = 21 (64-bit profiles), where end straddles no word.
  for (const [pages, L] of [
    [64, 15],
    [512, 21],
  ] as const) {
    const words = pages / 32;
    test.prop([fc.array(fc.tuple(fc.boolean(), fc.nat(pages - 1), fc.nat(pages - 1)), { minLength: 8, maxLength: 8 })])(
      `8 children of ${pages} pages`,
      (kids) => {
        const whole = new Uint32Array(8 * words);
        const sums = new Uint32Array(16);
        const child = new PallocBits(pages);
        kids.forEach(([full, a, n], k) => {
          const u = new Uint32Array(words);
          if (full) u.fill(0xffffffff);
          for (let i = a; i < Math.min(pages, a + n); i++) u[i >>> 5]! |= 1 << (i & 31);
          whole.set(u, words * k);
          child.at(u, 0).summarize();
          writePallocSum(sums, 2 * k, child.sumStart, child.sumMax, child.sumEnd, L);
        });
        const out = new Uint32Array(2);
        mergeSummaries(sums, 0, 8, Math.log2(pages), out, 0, L);
        const parent = new PallocBits(8 * pages).at(whole, 0);
        parent.summarize();
        expect([
          pallocSumStart(out[0]!, out[1]!, L),
          pallocSumMax(out[0]!, out[1]!, L),
          pallocSumEnd(out[0]!, out[1]!, L),
        ]).toEqual([parent.sumStart, parent.sumMax, parent.sumEnd]);
      },
    );
  }
});
