import { fc, test } from "@fast-check/vitest";
import { ArrayBufferSysMemory } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { PageCountError } from "../src/errors.js";
import { checkPageAlloc } from "../src/invariants.js";
import { PageCache, pageCacheBytes } from "../src/mpagecache.js";
import { backendsFor } from "./backends.js";
import { loadVectors, newPageAlloc, optsFor, type Ranges, recordSpace, u32ToWords } from "./helpers.js";

// linux/386 geometry (512-page chunks) keeps these fast; amd64 runs them through the vectors.
const G = loadVectors("linux-386").Geometry;
const PS = 8192;
const base = G.BaseChunkIdx * 512 * PS - G.ArenaBaseOffsetAdd;
const split = (x: bigint): [number, number] => [Number(x & 0xffffffffn), Number(x >> 32n)];

function newCache(b: number, cache: bigint, scav: bigint): PageCache {
  const sys = ArrayBufferSysMemory.create(new ArrayBuffer(1 << 20));
  const rec = recordSpace(sys);
  const c = new PageCache(sys.viewOf(rec), rec, PS);
  c.set(b, ...split(cache), ...split(scav));
  return c;
}

describe("TestPageCacheAlloc", () => {
  const M = (1n << 64n) - 1n;
  const tests: Record<string, { cache: [bigint, bigint]; hits: Array<[number, number, number]> }> = {
    Empty: { cache: [0n, 0n], hits: [1, 2, 3, 4, 5, 11, 12, 16, 27, 32, 43, 57, 64, 121].map((n) => [n, 0, 0]) },
    Lo1: {
      cache: [1n, 1n],
      hits: [
        [1, base, PS],
        [1, 0, 0],
        [10, 0, 0],
      ],
    },
    Hi1: {
      cache: [1n << 63n, 1n],
      hits: [
        [1, base + 63 * PS, 0],
        [1, 0, 0],
        [10, 0, 0],
      ],
    },
    Swiss1: {
      cache: [0x20005555n, 0x5505n],
      hits: [
        [2, 0, 0],
        [1, base, PS],
        [1, base + 2 * PS, PS],
        [1, base + 4 * PS, 0],
        [1, base + 6 * PS, 0],
        [1, base + 8 * PS, PS],
        [1, base + 10 * PS, PS],
        [1, base + 12 * PS, PS],
        [1, base + 14 * PS, PS],
        [1, base + 29 * PS, 0],
        [1, 0, 0],
        [10, 0, 0],
      ],
    },
    Lo2: {
      cache: [3n, 2n << 62n],
      hits: [
        [2, base, 0],
        [2, 0, 0],
        [1, 0, 0],
      ],
    },
    Hi2: {
      cache: [3n << 62n, 3n << 62n],
      hits: [
        [2, base + 62 * PS, 2 * PS],
        [2, 0, 0],
        [1, 0, 0],
      ],
    },
    Swiss2: {
      cache: [0x3333n << 31n, 0x3030n << 31n],
      hits: [
        [2, base + 31 * PS, 0],
        [2, base + 35 * PS, 2 * PS],
        [2, base + 39 * PS, 0],
        [2, base + 43 * PS, 2 * PS],
        [2, 0, 0],
      ],
    },
    Hi53: {
      cache: [((1n << 53n) - 1n) << 10n, ((1n << 16n) - 1n) << 10n],
      hits: [
        [53, base + 10 * PS, 16 * PS],
        [53, 0, 0],
        [1, 0, 0],
      ],
    },
    Full53: {
      cache: [M, ((1n << 16n) - 1n) << 10n],
      hits: [
        [53, base, 16 * PS],
        [53, 0, 0],
        [1, base + 53 * PS, 0],
      ],
    },
    Full64: {
      cache: [M, M],
      hits: [
        [64, base, 64 * PS],
        [64, 0, 0],
        [1, 0, 0],
      ],
    },
    FullMixed: {
      cache: [M, M],
      hits: [
        [5, base, 5 * PS],
        [7, base + 5 * PS, 7 * PS],
        [1, base + 12 * PS, PS],
        [23, base + 13 * PS, 23 * PS],
        [63, 0, 0],
        [3, base + 36 * PS, 3 * PS],
        [3, base + 39 * PS, 3 * PS],
        [3, base + 42 * PS, 3 * PS],
        [12, base + 45 * PS, 12 * PS],
        [11, 0, 0],
        [4, base + 57 * PS, 4 * PS],
        [4, 0, 0],
        [6, 0, 0],
        [36, 0, 0],
        [2, base + 61 * PS, 2 * PS],
        [3, 0, 0],
        [1, base + 63 * PS, PS],
        [4, 0, 0],
        [2, 0, 0],
        [62, 0, 0],
        [1, 0, 0],
      ],
    },
  };
  for (const [name, t] of Object.entries(tests)) {
    it(name, () => {
      const c = newCache(base, ...t.cache);
      t.hits.forEach(([n, b, s], i) => {
        expect([c.alloc(n), c.scav], `hit #${i}`).toEqual([b, s]);
      });
    });
  }
  it("rejects a page count that is not a positive integer", () => {
    const c = newCache(base, 1n, 0n);
    expect(() => c.alloc(0)).toThrow(PageCountError);
    expect(() => c.alloc(1.5)).toThrow(PageCountError);
    expect(c.cacheLo).toBe(1);
    expect(pageCacheBytes).toBe(24);
  });
});

function bitsToRanges(bits: bigint, at: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  let size = 0;
  for (let i = 0; i < 64; i++) {
    if ((bits >> BigInt(i)) & 1n) {
      if (size === 0) start = i + at;
      size++;
    } else if (size !== 0) {
      out.push([start, size]);
      size = 0;
    }
  }
  if (size !== 0) out.push([start, size]);
  return out;
}

describe("TestPageCacheFlush", () => {
  const opts = optsFor(G);
  const B = String(G.BaseChunkIdx);
  const run = (at: number, cache: bigint, scav: bigint) => {
    const sys = backendsFor["linux-386"]![1]!.make();
    const p = newPageAlloc(sys, opts, { [B]: [[at, 64]] }, { [B]: [] });
    const rec = recordSpace(sys);
    const c = new PageCache(sys.viewOf(rec), rec, PS);
    c.set(base + at * PS, ...split(cache), ...split(scav));
    c.flush(p);
    expect(c.empty()).toBe(true);
    checkPageAlloc(p);
    const wantAlloc: Ranges = { [B]: bitsToRanges(~cache & ((1n << 64n) - 1n), at) };
    const wantScav: Ranges = { [B]: bitsToRanges(scav, at) };
    const want = newPageAlloc(backendsFor["linux-386"]![1]!.make(), opts, wantAlloc, wantScav);
    const a = p.chunkOf(G.BaseChunkIdx);
    const got = [u32ToWords(p.cu32, a, 16), u32ToWords(p.cu32, a + 16, 16)];
    const w = want.chunkOf(G.BaseChunkIdx);
    expect(got).toEqual([u32ToWords(want.cu32, w, 16), u32ToWords(want.cu32, w + 16, 16)]);
  };
  it("empty cache", () => run(0, 0n, 0n));
  it("full cache", () => run(0, (1n << 64n) - 1n, (1n << 64n) - 1n));
  test.prop([fc.nat(7), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })], {
    numRuns: 50,
  })("random caches", (blk, cache, scav) => run(blk * 64, cache, scav & cache));
});
