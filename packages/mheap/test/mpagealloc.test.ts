import type { SysMemory } from "@gomalloc/os-mem";
import { PersistentAlloc } from "@gomalloc/persistent";
import { describe, expect, it } from "vitest";
import { checkPageAlloc } from "../src/invariants.js";
import { PageAlloc } from "../src/mpagealloc.js";
import { PageCache } from "../src/mpagecache.js";
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

function replay(target: string, sys: SysMemory, sc: Scenario, compact = false): void {
  const v = loadVectors(target);
  const G = v.Geometry;
  const opts = compact
    ? {
        ...optsFor(G),
        compact: true,
        persistent: PersistentAlloc.init(sys, recordSpace(sys), { chunkBytes: 64 << 10 }),
      }
    : optsFor(G);
  const p = newPageAlloc(sys, opts, sc.Chunks, sc.NoScav ? undefined : sc.Scav);
  expect(p.compact).toBe(compact);
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
        // Every other free unchecked (the heap's freeInUse): Go's vectors hold for both.
        if (k % 2 === 0) p.free(op[1] as number, op[2] as number);
        else p.freeInUse(op[1] as number, op[2] as number);
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

describe("compact metadata (flat backends): Go's vectors with every array grown on demand", () => {
  for (const target of ["js-wasm", "linux-386"] as const) {
    const v = loadVectors(target);
    const b = backendsFor[target]!.find((x) => x.name.startsWith("arraybuffer"))!;
    it(`${v.PageAlloc.length} scenarios of ${target} on ${b.name} memory`, () => {
      for (const sc of v.PageAlloc) replay(target, b.make(), sc, true);
    });
  }
  it("a second handle follows the arrays when the first one's growth moves them", () => {
    const G = loadVectors("js-wasm").Geometry;
    const sys = backendsFor["js-wasm"]![1]!.make(); // a SharedArrayBuffer
    const opts = { ...optsFor(G), compact: true, persistent: PersistentAlloc.init(sys, recordSpace(sys)) };
    const p = newPageAlloc(sys, opts, { [String(G.BaseChunkIdx)]: [] });
    const q = PageAlloc.attach(sys, opts, p.header);
    const a = p.alloc(10);
    // Grow far enough that every array moves.
    for (let c = 1; c < 20; c++)
      p.grow((G.BaseChunkIdx + c) * 2 ** (G.LogChunkPages + G.PageShift), 2 ** (G.LogChunkPages + G.PageShift));
    q.syncMeta(false);
    expect(q.alloc(64)).toBe(a + 10 * 8192); // first fit: from page 10 of the first chunk into the second
    q.free(a, 10);
    checkPageAlloc(q);
    p.syncMeta(false);
    expect(p.alloc(10)).toBe(a);
    checkPageAlloc(p);
  });
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
