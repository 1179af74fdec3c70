import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { findBitRange64, findFailed, PallocBits, pageBitsGet, pageBitsPopcntRange } from "../src/mpallocbits.js";
import { packPallocSumHi, packPallocSumLo } from "../src/pallocsum.js";
import { halves, loadVectors, makeBits, TARGETS, wordsToU32 } from "./helpers.js";

const P = 512;
const bitsOf = (pages: number, ranges: Array<[number, number]>) => new PallocBits(pages).at(makeBits(pages, ranges), 0);
const invert = (u: Uint32Array) => u.map((x) => ~x >>> 0);

/** Go's SummarizeSlow: the obviously correct summary. */
function summarizeSlow(u: Uint32Array, pages: number): [number, number, number] {
  let start = 0;
  while (start < pages && pageBitsGet(u, 0, start) === 0) start++;
  let end = 0;
  while (end < pages && pageBitsGet(u, 0, pages - end - 1) === 0) end++;
  let most = 0;
  let run = 0;
  for (let i = 0; i < pages; i++) {
    run = pageBitsGet(u, 0, i) === 0 ? run + 1 : 0;
    most = Math.max(most, run);
  }
  return [start, most, end];
}

/** The obviously correct find: first run of n free pages starting at or after the 64-page block of searchIdx. */
function findSlow(u: Uint32Array, pages: number, n: number, searchIdx: number): [number, number] {
  const from = Math.floor(searchIdx / 64) * 64;
  let firstFree = -1;
  for (let i = from; i < pages; i++) {
    if (pageBitsGet(u, 0, i) === 0) {
      firstFree = i;
      break;
    }
  }
  for (let j = from; j + n <= pages; j++) {
    let ok = true;
    for (let k = 0; k < n && ok; k++) ok = pageBitsGet(u, 0, j + k) === 0;
    if (ok) return [j, firstFree];
  }
  return [findFailed, firstFree];
}

/** Random bitmaps with runs of varied length, like Go's random summarize test but run-biased. */
const bitmapArb = (pages: number) =>
  fc
    .tuple(
      fc.array(fc.nat({ max: 300 }), { minLength: 1, maxLength: 40 }),
      fc.boolean(),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.nat(3),
    )
    .map(([runs, startOnes, seed, mode]) => {
      const u = new Uint32Array(pages / 32);
      if (mode === 0) {
        let x = seed || 1;
        for (let i = 0; i < u.length; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          u[i] = x >>> 0;
        }
        return u;
      }
      let at = 0;
      let ones = startOnes;
      for (const r of runs) {
        const n = Math.min(r + 1, pages - at);
        if (n <= 0) break;
        if (ones) for (let i = at; i < at + n; i++) u[i >>> 5]! |= 1 << (i & 31);
        at += n;
        ones = !ones;
      }
      return u;
    });

describe("TestPallocBitsAllocRange", () => {
  const cases: Array<[string, number, number, Record<number, [number, number]>]> = [
    ["OneLow", 0, 1, { 0: [1, 0] }],
    ["OneHigh", P - 1, 1, { 7: [0, 0x80000000] }],
    ["Inner", 129, 5, { 2: [0x3e, 0] }],
    ["Aligned", 128, 128, { 2: [0xffffffff, 0xffffffff], 3: [0xffffffff, 0xffffffff] }],
    ["Begin", 0, 321, { 0: [-1, -1], 1: [-1, -1], 2: [-1, -1], 3: [-1, -1], 4: [-1, -1], 5: [1, 0] }],
    ["End", P - 193, 193, { 7: [-1, -1], 6: [-1, -1], 5: [-1, -1], 4: [0, 0x80000000] }],
  ];
  for (const [name, i, n, want] of cases) {
    it(name, () => {
      const got = makeBits(P, [[i, n]]);
      const exp = new Uint32Array(P / 32);
      for (const [w, [lo, hi]] of Object.entries(want)) {
        exp[2 * Number(w)] = lo >>> 0;
        exp[2 * Number(w) + 1] = hi >>> 0;
      }
      expect(got).toEqual(exp);
    });
  }
  it("All", () => expect(makeBits(P, [[0, P]])).toEqual(new Uint32Array(P / 32).fill(0xffffffff)));
});

describe("TestMallocBitsPopcntRange", () => {
  const cases: Record<string, { init: Array<[number, number]>; tests: Array<[number, number, number]> }> = {
    None: {
      init: [],
      tests: [
        [0, 1, 0],
        [5, 3, 0],
        [2, 11, 0],
        [P / 4 + 1, P / 2, 0],
        [0, P, 0],
      ],
    },
    All: {
      init: [[0, P]],
      tests: [
        [0, 1, 1],
        [5, 3, 3],
        [2, 11, 11],
        [P / 4 + 1, P / 2, P / 2],
        [0, P, P],
      ],
    },
    Half: {
      init: [[P / 2, P / 2]],
      tests: [
        [0, 1, 0],
        [5, 3, 0],
        [2, 11, 0],
        [P / 2 - 1, 1, 0],
        [P / 2, 1, 1],
        [P / 2 + 10, 1, 1],
        [P / 2 - 1, 2, 1],
        [P / 4, P / 4, 0],
        [P / 4, P / 4 + 1, 1],
        [P / 4 + 1, P / 2, P / 4 + 1],
        [0, P, P / 2],
      ],
    },
    OddBound: {
      init: [[0, 111]],
      tests: [
        [0, 1, 1],
        [5, 3, 3],
        [2, 11, 11],
        [110, 2, 1],
        [99, 50, 12],
        [110, 1, 1],
        [111, 1, 0],
        [99, 1, 1],
        [120, 1, 0],
        [P / 2, P / 2, 0],
        [0, P, 111],
      ],
    },
    Scattered: {
      init: [
        [1, 3],
        [5, 1],
        [7, 1],
        [10, 2],
        [13, 1],
        [15, 4],
        [21, 1],
        [23, 1],
        [26, 2],
        [30, 5],
        [36, 2],
        [40, 3],
        [44, 6],
        [51, 1],
        [53, 2],
        [58, 3],
        [63, 1],
        [67, 2],
        [71, 10],
        [84, 1],
        [89, 7],
        [99, 2],
        [103, 1],
        [107, 2],
        [111, 1],
        [113, 1],
        [115, 1],
        [118, 1],
        [120, 2],
        [125, 5],
      ],
      tests: [
        [0, 11, 6],
        [0, 64, 39],
        [13, 64, 40],
        [64, 64, 34],
        [0, 128, 73],
        [1, 128, 74],
        [0, P, 75],
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const u = makeBits(P, c.init);
      for (const [i, n, want] of c.tests) expect(pageBitsPopcntRange(u, 0, i, n), `(${i}, ${n})`).toBe(want);
    });
  }
});

describe("TestPallocBitsSummarize", () => {
  const cases: Record<string, { free: Array<[number, number]>; want: [number, number, number] }> = {
    NoneFree: { free: [], want: [0, 0, 0] },
    OnlyStart: { free: [[0, 10]], want: [10, 10, 0] },
    OnlyEnd: { free: [[P - 40, 40]], want: [0, 40, 40] },
    StartAndEnd: {
      free: [
        [0, 11],
        [P - 23, 23],
      ],
      want: [11, 23, 23],
    },
    StartMaxEnd: {
      free: [
        [0, 4],
        [50, 100],
        [P - 4, 4],
      ],
      want: [4, 100, 4],
    },
    OnlyMax: {
      free: [
        [1, 20],
        [35, 241],
        [P - 50, 30],
      ],
      want: [0, 241, 0],
    },
    MultiMax: {
      free: [
        [35, 2],
        [40, 5],
        [100, 5],
      ],
      want: [0, 5, 0],
    },
    One: { free: [[2, 1]], want: [0, 1, 0] },
    AllFree: { free: [[0, P]], want: [P, P, P] },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const b = new PallocBits(P).at(invert(makeBits(P, c.free)), 0);
      b.summarize();
      expect([b.sumStart, b.sumMax, b.sumEnd]).toEqual(c.want);
    });
  }
});

describe("TestPallocBitsSummarizeRandom (fast summarize vs Go's SummarizeSlow pattern)", () => {
  for (const pages of [512, 64]) {
    test.prop([bitmapArb(pages)], { numRuns: 400 })(`${pages}-page chunks`, (u) => {
      const b = new PallocBits(pages).at(u, 0);
      b.summarize();
      expect([b.sumStart, b.sumMax, b.sumEnd]).toEqual(summarizeSlow(u, pages));
    });
  }
});

describe("TestPallocBitsAlloc", () => {
  const F = findFailed;
  const cases: Record<
    string,
    { before: Array<[number, number]>; after: Array<[number, number]>; npages: number; hits: number[] }
  > = {
    AllFree1: { before: [], npages: 1, hits: [0, 1, 2, 3, 4, 5], after: [[0, 6]] },
    AllFree2: { before: [], npages: 2, hits: [0, 2, 4, 6, 8, 10], after: [[0, 12]] },
    AllFree5: { before: [], npages: 5, hits: [0, 5, 10, 15, 20], after: [[0, 25]] },
    AllFree64: { before: [], npages: 64, hits: [0, 64, 128], after: [[0, 192]] },
    AllFree65: { before: [], npages: 65, hits: [0, 65, 130], after: [[0, 195]] },
    SomeFree64: {
      before: [
        [0, 32],
        [64, 32],
        [100, P - 100],
      ],
      npages: 64,
      hits: [F],
      after: [
        [0, 32],
        [64, 32],
        [100, P - 100],
      ],
    },
    NoneFree1: { before: [[0, P]], npages: 1, hits: [F, F], after: [[0, P]] },
    NoneFree2: { before: [[0, P]], npages: 2, hits: [F, F], after: [[0, P]] },
    NoneFree5: { before: [[0, P]], npages: 5, hits: [F, F], after: [[0, P]] },
    NoneFree65: { before: [[0, P]], npages: 65, hits: [F, F], after: [[0, P]] },
    ExactFit1: {
      before: [
        [0, P / 2 - 3],
        [P / 2 - 2, P / 2 + 2],
      ],
      npages: 1,
      hits: [P / 2 - 3, F],
      after: [[0, P]],
    },
    ExactFit2: {
      before: [
        [0, P / 2 - 3],
        [P / 2 - 1, P / 2 + 1],
      ],
      npages: 2,
      hits: [P / 2 - 3, F],
      after: [[0, P]],
    },
    ExactFit5: {
      before: [
        [0, P / 2 - 3],
        [P / 2 + 2, P / 2 - 2],
      ],
      npages: 5,
      hits: [P / 2 - 3, F],
      after: [[0, P]],
    },
    ExactFit65: {
      before: [
        [0, P / 2 - 31],
        [P / 2 + 34, P / 2 - 34],
      ],
      npages: 65,
      hits: [P / 2 - 31, F],
      after: [[0, P]],
    },
    SomeFree161: {
      before: [
        [0, 185],
        [331, 1],
      ],
      npages: 161,
      hits: [332],
      after: [
        [0, 185],
        [331, 162],
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const b = bitsOf(P, c.before);
      for (const want of c.hits) {
        const a = b.find(c.npages, 0);
        expect(a).toBe(want);
        if (want !== F) b.allocRange(a, c.npages);
      }
      expect(b.u32).toEqual(makeBits(P, c.after));
    });
  }
});

describe("TestPallocBitsFree", () => {
  const cases: Record<
    string,
    { beforeInv: Array<[number, number]>; afterInv: Array<[number, number]>; frees: number[]; npages: number }
  > = {
    SomeFree: {
      npages: 1,
      beforeInv: [
        [0, 32],
        [64, 32],
        [100, 1],
      ],
      frees: [32],
      afterInv: [
        [0, 33],
        [64, 32],
        [100, 1],
      ],
    },
    NoneFree1: { npages: 1, beforeInv: [], frees: [0, 1, 2, 3, 4, 5], afterInv: [[0, 6]] },
    NoneFree2: { npages: 2, beforeInv: [], frees: [0, 2, 4, 6, 8, 10], afterInv: [[0, 12]] },
    NoneFree5: { npages: 5, beforeInv: [], frees: [0, 5, 10, 15, 20], afterInv: [[0, 25]] },
    NoneFree64: { npages: 64, beforeInv: [], frees: [0, 64, 128], afterInv: [[0, 192]] },
    NoneFree65: { npages: 65, beforeInv: [], frees: [0, 65, 130], afterInv: [[0, 195]] },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const b = new PallocBits(P).at(invert(makeBits(P, c.beforeInv)), 0);
      for (const i of c.frees) {
        if (c.npages === 1) b.free1(i);
        else b.free(i, c.npages);
      }
      expect(b.u32).toEqual(invert(makeBits(P, c.afterInv)));
    });
  }
});

describe("TestFindBitRange64", () => {
  const check = (x: bigint, n: number, want: number) => {
    const got = findBitRange64(Number(x & 0xffffffffn), Number(x >> 32n), n);
    if (want === findFailed) expect(got).toBeGreaterThanOrEqual(64);
    else expect(got).toBe(want);
  };
  it("Go's cases", () => {
    for (let i = 1; i <= 64; i++) check((1n << 64n) - 1n, i, 0);
    for (let i = 1; i <= 64; i++) check(0n, i, findFailed);
    check(0x8000000000000000n, 1, 63);
    check(0xc000010001010000n, 2, 62);
    check(0xc000010001030000n, 2, 16);
    check(0xe000030001030000n, 3, 61);
    check(0xe000030001070000n, 3, 16);
    check(0xffff03ff01070000n, 16, 48);
    check(0xffff03ff0107ffffn, 16, 0);
    check(0x0fff03ff01079fffn, 16, findFailed);
  });
  test.prop([fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 1, max: 64 })])(
    "random words against a bit-by-bit search",
    (x, n) => {
      let want = findFailed;
      for (let i = 0; i + n <= 64 && want === findFailed; i++)
        if (((x >> BigInt(i)) & ((1n << BigInt(n)) - 1n)) === (1n << BigInt(n)) - 1n) want = i;
      check(x, n, want);
    },
  );
});

describe("pallocBits.find against an obviously correct search", () => {
  for (const pages of [512, 64]) {
    test.prop([bitmapArb(pages), fc.integer({ min: 1, max: pages }), fc.nat(pages - 1)], { numRuns: 400 })(
      `${pages}-page chunks`,
      (u, npages, searchIdx) => {
        const b = new PallocBits(pages).at(u, 0);
        const [want, firstFree] = findSlow(u, pages, npages, searchIdx);
        expect(b.find(npages, searchIdx)).toBe(want);
        if (want !== findFailed) expect(b.newSearchIdx).toBe(firstFree);
      },
    );
  }
});

for (const target of TARGETS) {
  describe(`Go vectors ${target}: pallocBits summarize, find, popcntRange; findBitRange64`, () => {
    const v = loadVectors(target);
    const pages = v.Geometry.PallocChunkPages;
    const L = v.Geometry.LogChunkPages + (v.Geometry.SummaryLevels - 1) * 3;
    it(`${v.PallocBits.length} bitmaps`, () => {
      for (const c of v.PallocBits) {
        const u = wordsToU32(c.Words);
        const b = new PallocBits(pages).at(u, 0);
        b.summarize();
        expect([b.sumStart, b.sumMax, b.sumEnd]).toEqual([c.Start, c.Max, c.End]);
        const [lo, hi] = halves(c.Sum);
        expect([
          packPallocSumLo(b.sumStart, b.sumMax, b.sumEnd, L),
          packPallocSumHi(b.sumStart, b.sumMax, b.sumEnd, L),
        ]).toEqual([lo, hi]);
        for (const [npages, si, idx, ns] of c.Finds) {
          const got = b.find(npages, si);
          // Go's ^uint(0) for "not found" arrives as -1 (64-bit) or 2^32-1 (32-bit).
          expect(got, `find(${npages}, ${si})`).toBe(idx < 0 || idx >= pages ? findFailed : idx);
          if (got !== findFailed) expect(b.newSearchIdx).toBe(ns);
        }
        for (const [i, n, want] of c.Popcnt) expect(pageBitsPopcntRange(u, 0, i, n)).toBe(want);
      }
    });
    it(`${v.FindBitRange.length} findBitRange64 cases`, () => {
      for (const [x, n, want] of v.FindBitRange) {
        const [lo, hi] = halves(x);
        const got = findBitRange64(lo, hi, n);
        if (want >= 64) expect(got).toBeGreaterThanOrEqual(64);
        else expect(got).toBe(want);
      }
    });
  });
}
