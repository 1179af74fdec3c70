import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { PageCountError, PageDoubleFreeError, PageRangeError } from "../src/errors.js";
import { checkPageAlloc } from "../src/invariants.js";
import { PageCache } from "../src/mpagecache.js";
import { pageBitsGet } from "../src/mpallocbits.js";
import { backendsFor } from "./backends.js";
import { fingerprint, loadVectors, newPageAlloc, optsFor, recordSpace } from "./helpers.js";

// ---------------------------------------------------------------------------
// Against a page-by-page model: first fit, scavenged accounting, page cache,
// and misuse answered by typed errors with the state unchanged.

type MOp =
  | { k: "alloc"; n: number }
  | { k: "free"; pick: number }
  | { k: "badFree"; page: number; n: number }
  | { k: "cache"; allocs: number[] }
  | { k: "scav"; pages: number };

function runModel(target: string, layout: number[], ops: MOp[]): void {
  const G = loadVectors(target).Geometry;
  const sys = backendsFor[target]!.at(-1)!.make();
  const released: Array<[number, number]> = [];
  const p = newPageAlloc(sys, { ...optsFor(G), release: (a, n) => released.push([a, n]) }, {});
  const g = p.g;
  const P = g.pallocChunkPages;
  const PS = g.pageSize;
  const add = g.arenaBaseOffsetAdd;
  // Grow: layout gives chunk gaps; each entry grows one chunk after skipping `gap` chunks.
  const chunks: number[] = [];
  let c = G.BaseChunkIdx;
  for (const gap of layout) {
    c += gap;
    chunks.push(c);
    p.grow(c * g.pallocChunkBytes - add, g.pallocChunkBytes);
    c++;
  }
  // Model: page address (offset space) → [inUse, scavenged]. Grown memory starts free and scavenged.
  const pages: number[] = [];
  const inUse = new Map<number, boolean>();
  const scav = new Map<number, boolean>();
  for (const ch of chunks) {
    for (let i = 0; i < P; i++) {
      const a = ch * g.pallocChunkBytes + i * PS;
      pages.push(a);
      inUse.set(a, false);
      scav.set(a, true);
    }
  }
  const live: Array<[number, number]> = [];
  const compare = () => {
    checkPageAlloc(p);
    for (const ch of chunks) {
      const off = p.chunkOf(ch);
      for (let i = 0; i < P; i++) {
        const a = ch * g.pallocChunkBytes + i * PS;
        expect(
          [pageBitsGet(p.cu32, off, i) === 1, pageBitsGet(p.cu32, off + p.pb.scavOff, i) === 1],
          `page ${a}`,
        ).toEqual([inUse.get(a), scav.get(a)]);
      }
    }
  };
  const firstFit = (n: number): number => {
    let run = 0;
    for (let k = 0; k < pages.length; k++) {
      const a = pages[k]!;
      const contiguous = k > 0 && pages[k - 1] === a - PS;
      run = inUse.get(a) ? 0 : contiguous ? run + 1 : 1;
      if (run === n) return pages[k - n + 1]!;
    }
    return 0;
  };
  const crec = recordSpace(sys);
  const cache = new PageCache(sys.viewOf(crec), crec, PS);
  compare();
  for (const op of ops) {
    switch (op.k) {
      case "alloc": {
        const want = firstFit(op.n);
        let wantScav = 0;
        for (let i = 0; want !== 0 && i < op.n; i++) if (scav.get(want + i * PS)) wantScav += PS;
        const got = p.alloc(op.n);
        expect([got, got === 0 ? 0 : p.scav]).toEqual([want === 0 ? 0 : want - add, wantScav]);
        if (want !== 0) {
          for (let i = 0; i < op.n; i++) {
            inUse.set(want + i * PS, true);
            scav.set(want + i * PS, false);
          }
          live.push([want, op.n]);
        }
        break;
      }
      case "free": {
        if (live.length === 0) break;
        const [a, n] = live.splice(op.pick % live.length, 1)[0]!;
        p.free(a - add, n);
        for (let i = 0; i < n; i++) inUse.set(a + i * PS, false);
        break;
      }
      case "badFree": {
        const a = pages[op.page % pages.length]!;
        let allInUse = true;
        let inside = true;
        for (let i = 0; i < op.n; i++) {
          if (!inUse.has(a + i * PS)) inside = false;
          else if (!inUse.get(a + i * PS)) allInUse = false;
        }
        // A contiguous grown range is one in-use range, so "inside" is page membership.
        if (inside && allInUse) break;
        const before = fingerprint(p, chunks);
        expect(() => p.free(a - add, op.n)).toThrow(inside ? PageDoubleFreeError : PageRangeError);
        expect(fingerprint(p, chunks)).toBe(before);
        break;
      }
      case "cache": {
        let first = 0;
        for (const a of pages) {
          if (!inUse.get(a)) {
            first = a;
            break;
          }
        }
        p.allocToCache(cache);
        if (first === 0) {
          expect(cache.empty()).toBe(true);
          break;
        }
        const blk = Math.floor(first / (64 * PS)) * 64 * PS;
        let cl = 0n;
        let sl = 0n;
        for (let i = 0; i < 64; i++) {
          const a = blk + i * PS;
          if (inUse.has(a) && !inUse.get(a)) {
            cl |= 1n << BigInt(i);
            if (scav.get(a)) sl |= 1n << BigInt(i);
            inUse.set(a, true);
            scav.set(a, false);
          }
        }
        const big = (lo: number, hi: number) => (BigInt(hi) << 32n) | BigInt(lo);
        expect([cache.base, big(cache.cacheLo, cache.cacheHi), big(cache.scavLo, cache.scavHi)]).toEqual([
          blk - add,
          cl,
          sl,
        ]);
        compare();
        for (const n of op.allocs) {
          let at = -1;
          for (let i = 0; i + n <= 64 && at < 0; i++)
            if (((cl >> BigInt(i)) & ((1n << BigInt(n)) - 1n)) === (1n << BigInt(n)) - 1n) at = i;
          const got = cache.alloc(n);
          if (at < 0) {
            expect(got).toBe(0);
            continue;
          }
          const mask = ((1n << BigInt(n)) - 1n) << BigInt(at);
          let sc = 0;
          for (let i = 0; i < n; i++) if ((sl >> BigInt(at + i)) & 1n) sc += PS;
          expect([got, cache.scav]).toEqual([blk + at * PS - add, sc]);
          cl &= ~mask;
          sl &= ~mask;
          live.push([blk + at * PS, n]);
        }
        cache.flush(p);
        for (let i = 0; i < 64; i++) {
          if ((cl >> BigInt(i)) & 1n) {
            inUse.set(blk + i * PS, false);
            scav.set(blk + i * PS, ((sl >> BigInt(i)) & 1n) === 1n);
          }
        }
        break;
      }
      case "scav": {
        released.length = 0;
        const before = new Map(scav);
        const got = p.scavenge(op.pages * PS, true);
        let newly = 0;
        for (const ch of chunks) {
          const off = p.chunkOf(ch);
          for (let i = 0; i < P; i++) {
            const a = ch * g.pallocChunkBytes + i * PS;
            const s = pageBitsGet(p.cu32, off + p.pb.scavOff, i) === 1;
            if (s && !before.get(a)) {
              expect(inUse.get(a), "only free pages are scavenged").toBe(false);
              newly++;
            }
            if (!s && before.get(a)) throw new Error(`scavenge unscavenged page ${a}`);
            scav.set(a, s);
          }
        }
        expect(got).toBe(newly * PS);
        expect(released.reduce((t, [, n]) => t + n, 0)).toBe(got);
        break;
      }
    }
    compare();
  }
  expect(() => p.alloc(0)).toThrow(PageCountError);
  expect(() => p.alloc(2.5)).toThrow(PageCountError);
}

const modelOp = (P: number): fc.Arbitrary<MOp> =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .integer({ min: 1, max: 2 * P })
        .map((n) => ({ k: "alloc" as const, n: n > P && n % 3 ? n % 9 || 1 : n })),
    },
    { weight: 4, arbitrary: fc.nat().map((pick) => ({ k: "free" as const, pick })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.nat(), fc.integer({ min: 1, max: P }))
        .map(([page, n]) => ({ k: "badFree" as const, page, n })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.integer({ min: 1, max: 20 }), { maxLength: 5 })
        .map((allocs) => ({ k: "cache" as const, allocs })),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: P }).map((pages) => ({ k: "scav" as const, pages })) },
  );

describe("pageAlloc against a page-by-page model (first fit, scavenged bytes, page cache, misuse)", () => {
  for (const [target, runs] of [
    ["js-wasm", 40],
    ["linux-386", 25],
    ["linux-amd64", 6],
  ] as const) {
    const P = loadVectors(target).Geometry.PallocChunkPages;
    test.prop(
      [
        fc.array(fc.constantFrom(0, 0, 0, 1, 5), { minLength: 1, maxLength: 4 }),
        fc.array(modelOp(P), { maxLength: 60 }),
      ],
      {
        numRuns: runs,
      },
    )(`${target} geometry on ${backendsFor[target]!.at(-1)!.name} memory`, (layout, ops) =>
      runModel(target, layout, ops),
    );
  }
});
