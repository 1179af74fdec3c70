import { fc, test } from "@fast-check/vitest";
import type { SysMemory } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { PageCountError, PageDoubleFreeError, PageRangeError } from "../src/errors.js";
import { checkPageAlloc } from "../src/invariants.js";
import { PageAlloc } from "../src/mpagealloc.js";
import { PageCache } from "../src/mpagecache.js";
import { pageBitsGet } from "../src/mpallocbits.js";
import { backendsFor } from "./backends.js";
import {
  halves,
  loadVectors,
  newPageAlloc,
  optsFor,
  recordSpace,
  type Scenario,
  TARGETS,
  u32ToWords,
} from "./helpers.js";

function replay(target: string, sys: SysMemory, sc: Scenario): void {
  const v = loadVectors(target);
  const G = v.Geometry;
  const p = newPageAlloc(sys, optsFor(G), sc.Chunks, sc.NoScav ? undefined : sc.Scav);
  const add = G.ArenaBaseOffsetAdd;
  checkPageAlloc(p);
  const crec = recordSpace(sys);
  const cache = new PageCache(sys.viewOf(crec), crec, 2 ** G.PageShift);
  const where = (k: number, op: unknown) => `${sc.Name} op #${k} ${JSON.stringify(op)}`;
  sc.Ops.forEach((op, k) => {
    const search = op[op.length - 1] as number;
    switch (op[0]) {
      case "a": {
        const got = p.alloc(op[1] as number);
        expect([got, p.scav], where(k, op)).toEqual([op[2], op[3]]);
        break;
      }
      case "f":
        p.free(op[1] as number, op[2] as number);
        break;
      case "c": {
        p.allocToCache(cache);
        const [cl, ch] = halves(op[2] as string);
        const [sl, sh] = halves(op[3] as string);
        expect([cache.base, cache.cacheLo, cache.cacheHi, cache.scavLo, cache.scavHi], where(k, op)).toEqual([
          op[1],
          cl,
          ch,
          sl,
          sh,
        ]);
        break;
      }
      case "ca": {
        const got = cache.alloc(op[1] as number);
        const [cl, ch] = halves(op[4] as string);
        const [sl, sh] = halves(op[5] as string);
        expect([got, cache.scav, cache.cacheLo, cache.cacheHi, cache.scavLo, cache.scavHi], where(k, op)).toEqual([
          op[2],
          op[3],
          cl,
          ch,
          sl,
          sh,
        ]);
        break;
      }
      case "fl":
        cache.flush(p);
        break;
      case "s": {
        const got = p.scavenge(op[1] as number, true);
        expect(got, where(k, op)).toBe(op[2]);
        break;
      }
      default:
        throw new Error(`unknown op ${op[0]}`);
    }
    expect(p.searchAddr - add, `searchAddr after ${where(k, op)}`).toBe(search);
    checkPageAlloc(p);
  });
  // Final state: bitmaps, summaries, in-use ranges.
  for (const [key, st] of Object.entries(sc.Final)) {
    const off = p.chunkOf(Number(key));
    expect(u32ToWords(p.cu32, off, p.pb.n32), `${sc.Name} chunk ${key} alloc`).toEqual(st.Alloc);
    expect(u32ToWords(p.cu32, off + p.pb.scavOff, p.pb.n32), `${sc.Name} chunk ${key} scav`).toEqual(st.Scav);
  }
  sc.Sums.forEach(([l, i], k) => {
    const [lo, hi] = halves(sc.SumHex[k]!);
    expect([p.summaryLo(l, i), p.summaryHi(l, i)], `${sc.Name} summary[${l}][${i}]`).toEqual([lo, hi]);
  });
  const inUse: Array<[number, number]> = [];
  for (let r = 0; r < p.inUse.len; r++) inUse.push([p.inUse.base(r) - add, p.inUse.limit(r) - add]);
  expect(inUse).toEqual(sc.InUse);
}

for (const target of TARGETS) {
  describe(`Go vectors ${target}: TestPageAllocAlloc, TestPageAllocFree, TestPageAllocAllocToCache, TestPageAllocScavenge and random scenarios`, () => {
    const v = loadVectors(target);
    const [primary, ...others] = backendsFor[target]!;
    for (const sc of v.PageAlloc) {
      it(`${sc.Name} on ${primary!.name} memory`, () => replay(target, primary!.make(), sc));
    }
    // The other backends replay Go's table scenarios and a few random ones.
    const some = v.PageAlloc.filter((sc) => !sc.Name.startsWith("Random/") || Number(sc.Name.slice(7)) < 5);
    for (const b of others) {
      it(`${some.length} scenarios on ${b.name} memory`, () => {
        for (const sc of some) replay(target, b.make(), sc);
      });
    }
  });
}

// ---------------------------------------------------------------------------
// Against a page-by-page model: first fit, scavenged accounting, page cache,
// and misuse answered by typed errors with the state unchanged.

type MOp =
  | { k: "alloc"; n: number }
  | { k: "free"; pick: number }
  | { k: "badFree"; page: number; n: number }
  | { k: "cache"; allocs: number[] }
  | { k: "scav"; pages: number };

function fingerprint(p: PageAlloc, chunks: number[]): string {
  const parts: unknown[] = [p.searchAddr, p.start, p.end, p.inUse.len, p.inUse.totalBytes];
  for (const c of chunks) {
    const off = p.chunkOf(c);
    parts.push(Array.from(p.cu32.subarray(off, off + 2 * p.pb.n32)), p.scavIndex.chunkLo(c), p.scavIndex.chunkHi(c));
    parts.push(p.summaryLo(p.g.summaryLevels - 1, c), p.summaryHi(p.g.summaryLevels - 1, c));
  }
  return JSON.stringify(parts);
}

function runModel(target: string, layout: number[], ops: MOp[]): void {
  const G = loadVectors(target).Geometry;
  const sys = backendsFor[target]!.at(-1)!.make();
  const released: Array<[number, number]> = [];
  const p = newPageAlloc(sys, { ...optsFor(G), release: (a, n) => released.push([a, n]) }, {});
  const g = p.g;
  const P = g.pallocChunkPages;
  const PS = g.pageSize;
  const add = g.arenaBaseOffset;
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

describe("TestPageAllocGrow", () => {
  for (const target of TARGETS) {
    const G = loadVectors(target).Geometry;
    const B = G.BaseChunkIdx;
    const cb = (c: number) => c * 2 ** (G.LogChunkPages + G.PageShift) - G.ArenaBaseOffsetAdd;
    const cases: Record<string, { chunks: number[]; inUse: Array<[number, number]> }> = {
      One: { chunks: [B], inUse: [[cb(B), cb(B + 1)]] },
      Contiguous2: { chunks: [B, B + 1], inUse: [[cb(B), cb(B + 2)]] },
      Contiguous5: { chunks: [B, B + 1, B + 2, B + 3, B + 4], inUse: [[cb(B), cb(B + 5)]] },
      Discontiguous: {
        chunks: [B, B + 2, B + 4],
        inUse: [
          [cb(B), cb(B + 1)],
          [cb(B + 2), cb(B + 3)],
          [cb(B + 4), cb(B + 5)],
        ],
      },
      Mixed: {
        chunks: [B, B + 1, B + 2, B + 4],
        inUse: [
          [cb(B), cb(B + 3)],
          [cb(B + 4), cb(B + 5)],
        ],
      },
      WildlyDiscontiguous: {
        chunks: [B, B + 1, B + 0x10, B + 0x21],
        inUse: [
          [cb(B), cb(B + 2)],
          [cb(B + 0x10), cb(B + 0x11)],
          [cb(B + 0x21), cb(B + 0x22)],
        ],
      },
      ManyDiscontiguous: {
        chunks: Array.from({ length: 33 }, (_, i) => B + 2 * i),
        inUse: Array.from({ length: 33 }, (_, i) => [cb(B + 2 * i), cb(B + 2 * i + 1)] as [number, number]),
      },
    };
    if (G.HeapAddrBits > 32) {
      cases.ExtremelyDiscontiguous = {
        chunks: [B, B + 0x100000, B + 0x200000],
        inUse: [
          [cb(B), cb(B + 1)],
          [cb(B + 0x100000), cb(B + 0x100001)],
          [cb(B + 0x200000), cb(B + 0x200001)],
        ],
      };
    }
    for (const [name, c] of Object.entries(cases)) {
      it(`${target} ${name}`, () => {
        const sys = backendsFor[target]![0]!.make();
        const p = newPageAlloc(sys, optsFor(G), Object.fromEntries(c.chunks.map((ch) => [String(ch), []])));
        const got: Array<[number, number]> = [];
        for (let r = 0; r < p.inUse.len; r++)
          got.push([p.inUse.base(r) - G.ArenaBaseOffsetAdd, p.inUse.limit(r) - G.ArenaBaseOffsetAdd]);
        expect(got).toEqual(c.inUse);
        checkPageAlloc(p);
      });
    }
  }
});

describe("pageAlloc.grow: bad ranges and refused metadata leave the allocator unchanged", () => {
  for (const target of TARGETS) {
    const G = loadVectors(target).Geometry;
    const CB = 2 ** (G.LogChunkPages + G.PageShift);
    const at = (c: number) => c * CB - G.ArenaBaseOffsetAdd;
    it(`${target}: rejects misaligned, empty, overlapping, out-of-space and chunk-0 ranges`, () => {
      const p = newPageAlloc(backendsFor[target]![0]!.make(), optsFor(G), { [String(G.BaseChunkIdx)]: [] });
      const chunks = [G.BaseChunkIdx];
      const before = fingerprint(p, chunks);
      const B = G.BaseChunkIdx;
      expect(() => p.grow(at(B + 4) + 1, CB)).toThrow(PageRangeError);
      expect(() => p.grow(at(B + 4), 0)).toThrow(PageRangeError);
      expect(() => p.grow(at(B + 4), 100)).toThrow(PageRangeError);
      expect(() => p.grow(at(B) + 2 ** G.PageShift, 2 ** G.PageShift)).toThrow(PageRangeError);
      expect(() => p.grow(2 ** G.HeapAddrBits - G.ArenaBaseOffsetAdd, CB)).toThrow(PageRangeError);
      expect(() => p.grow(-G.ArenaBaseOffsetAdd, CB)).toThrow(PageRangeError);
      if (G.ArenaBaseOffsetAdd > 0) expect(() => p.grow(0, CB)).toThrow(PageRangeError);
      expect(fingerprint(p, chunks)).toBe(before);
      expect(() => p.free(at(B + 7), 1)).toThrow(PageRangeError);
      expect(() => p.free(at(B), 1)).toThrow(PageDoubleFreeError);
      expect(() => p.free(at(B) + 1, 1)).toThrow(PageRangeError);
      expect(() => p.free(at(B), 0)).toThrow(PageCountError);
      expect(fingerprint(p, chunks)).toBe(before);
    });
    it(`${target}: each refused reservation, map or commit during grow rolls back`, () => {
      const far = G.BaseChunkIdx + (G.HeapAddrBits > 32 ? 0x100000 : 0x40);
      let failures = 0;
      for (const kind of ["reserve", "map", "used"] as const) {
        for (let n = 1; n <= 8; n++) {
          const sys = backendsFor[target]![0]!.make();
          const p = PageAlloc.create(sys, optsFor(G));
          if (n % 2 === 0) p.grow(at(G.BaseChunkIdx), CB); // sometimes grow next to existing memory
          const chunks = n % 2 === 0 ? [G.BaseChunkIdx] : [];
          const before = fingerprint(p, chunks);
          const ready = sys.stats().ready;
          const f = sys.faults;
          if (kind === "reserve") f.refuseReserveAt.add(f.reserveCalls + n);
          if (kind === "map") f.refuseMapAt.add(f.mapCalls + n);
          if (kind === "used") f.refuseUsedAt.add(f.usedCalls + n);
          try {
            p.grow(at(far), 3 * CB);
          } catch (e) {
            expect((e as { _tag: string })._tag).toBe("PageAllocOutOfMemoryError");
            expect(fingerprint(p, chunks)).toBe(before);
            expect(sys.stats().ready).toBe(ready);
            if (chunks.length > 0) checkPageAlloc(p);
            failures++;
            f.clear();
            p.grow(at(far), 3 * CB);
          }
          f.clear();
          checkPageAlloc(p);
          expect(p.alloc(3 * G.PallocChunkPages)).toBe(at(far));
          checkPageAlloc(p);
        }
      }
      expect(failures).toBeGreaterThan(0);
    });
  }
});

describe("pageAlloc.attach: a second handle over the same memory", () => {
  it("sees and extends the state the first handle built", () => {
    const G = loadVectors("js-wasm").Geometry;
    const sys = backendsFor["js-wasm"]![1]!.make(); // a SharedArrayBuffer: what a second worker would attach to
    const opts = optsFor(G);
    const p = newPageAlloc(sys, opts, { [String(G.BaseChunkIdx)]: [], [String(G.BaseChunkIdx + 1)]: [] });
    const a = p.alloc(10);
    const q = PageAlloc.attach(sys, opts, p.header);
    const b = q.alloc(3);
    expect(b).toBe(a + 10 * 8192);
    q.free(a, 10);
    expect(p.alloc(2)).toBe(a);
    checkPageAlloc(p);
    checkPageAlloc(q);
    expect(() =>
      PageAlloc.attach(sys, { ...opts, summaryLevels: 5, heapAddrBits: 48, pallocChunksL1Bits: 13 }, p.header),
    ).toThrow();
  });
});
