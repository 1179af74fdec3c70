// heapPageMap: exact pages on hand-built heaps, agreement with inspectHeap's
// per-arena counts (PM2) and with a slow spanOf-per-page oracle after every
// step of random malloc/free/cycle/scavenge sequences on every backend,
// PM1, read-only-ness, and the same map from a second handle holding no P.
// Seeds are logged; replay with FC_SEED.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  attachHeap,
  checkInspection,
  createHeap,
  type Heap,
  type HeapPageMap,
  heapPageMap,
  inspectHeap,
  PageMapState,
} from "../src/index.js";
import { heapBackends, seedOf } from "./backends.js";

/** PM1 and PM2, and every in-use page checked against spanOf (the slow oracle). */
function checkPageMap(heap: Heap, m: HeapPageMap): void {
  const x = inspectHeap(heap);
  checkInspection(x, heap.readMemStats());
  expect(m.arenas.map((a) => a.index)).toEqual(x.arenas.map((a) => a.index));
  expect(m.pagesPerArena * m.pageSize).toBe(x.heapArenaBytes);
  m.arenas.forEach((a, k) => {
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < m.pagesPerArena; i++) {
      const j = k * m.pagesPerArena + i;
      const st = m.state[j]!;
      counts[st]!++;
      if (st !== PageMapState.inUse) {
        expect([m.sizeclass[j], m.spanStart[j]]).toEqual([0, 0]); // PM1
        continue;
      }
      const p = a.base + i * m.pageSize;
      const s = heap.h.spanOf(p);
      expect(s).not.toBe(0);
      expect(heap.h.spanState(s)).toBe(1);
      expect(m.sizeclass[j]).toBe(heap.t.spanclass(s) >>> 1);
      expect(m.spanStart[j]).toBe(heap.h.spanBase(s) === p ? 1 : 0);
    }
    const u = x.arenas[k]!;
    expect(counts).toEqual([u.pagesUngrown, u.pagesReleased, u.pagesFree, u.pagesCached, u.pagesInUse]); // PM2
  });
}

describe("heapPageMap", () => {
  it("maps a small span, a large span and the free pages of a fresh arena exactly", () => {
    const heap = createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) });
    const sc = heap.sizeClasses;
    const small = heap.malloc(100);
    const large = heap.malloc(300_000); // 37 pages
    const m = heapPageMap(heap);
    checkPageMap(heap, m);
    expect(m.arenas).toHaveLength(1);
    expect(m.pageSize).toBe(8192);
    const at = (p: number) => Math.floor((p - m.arenas[0]!.base) / m.pageSize);
    const js = at(small);
    expect([m.state[js], m.sizeclass[js], m.spanStart[js]]).toEqual([PageMapState.inUse, sc.sizeToClass(100), 1]);
    const jl = at(large);
    expect([m.state[jl], m.sizeclass[jl], m.spanStart[jl]]).toEqual([PageMapState.inUse, 0, 1]);
    for (let j = jl + 1; j < jl + 37; j++) expect([m.state[j], m.sizeclass[j], m.spanStart[j]]).toEqual([4, 0, 0]);
    const inUse = m.state.filter((s) => s === PageMapState.inUse).length;
    expect(inUse).toBe(heap.readMemStats().HeapInuse / 8192);
    heap.free(large);
    heap.scavenge(0);
    const m2 = heapPageMap(heap);
    checkPageMap(heap, m2);
    // The scavenger releases whole free physical pages (64 KiB = 8 runtime pages here), as Go's does:
    // the 37 freed pages from page 1 cover the aligned groups 8–15, 16–23 and 24–31.
    const after = [...m2.state.subarray(jl, jl + 37)];
    expect(after.every((st) => st === PageMapState.free || st === PageMapState.released)).toBe(true);
    expect(after.filter((st) => st === PageMapState.released).length).toBeGreaterThanOrEqual(24);
  });

  it("shows the pages of a P's page cache as cached", () => {
    const heap = createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) });
    for (let i = 0; i < 40; i++) heap.malloc(16 + 8 * i); // many one-page spans
    const m = heapPageMap(heap);
    checkPageMap(heap, m);
    const x = inspectHeap(heap);
    expect(m.state.filter((s) => s === PageMapState.cached).length).toBe(x.totals.pagesCached);
  });

  it("changes nothing, and a handle holding no P gets the same map", () => {
    const heap = createHeap({ growableSab: { maxByteLength: 64 << 20 } });
    const live: number[] = [];
    for (let i = 0; i < 2000; i++) {
      if (i % 3 === 2) heap.free(live.splice((i * 7) % live.length, 1)[0]!);
      else live.push(heap.malloc(8 + ((i * 37) % 40_000)));
    }
    const before = [heap.readMemStats(), heap.sys.stats(), inspectHeap(heap)];
    const m = heapPageMap(heap);
    expect([heap.readMemStats(), heap.sys.stats(), inspectHeap(heap)]).toEqual(before);
    const other = attachHeap(heap.sys);
    expect(other.p).toBe(-1);
    expect(heapPageMap(other)).toEqual(m);
  });
});

type Op = { k: "malloc"; size: number } | { k: "free"; pick: number } | { k: "cycle" } | { k: "scavenge" };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      k: fc.constant("malloc" as const),
      size: fc.oneof(
        fc.integer({ min: 1, max: 15 }),
        fc.integer({ min: 16, max: 32768 }),
        fc.integer({ min: 32769, max: 5_000_000 }),
      ),
    }),
  },
  { weight: 8, arbitrary: fc.record({ k: fc.constant("free" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ k: "cycle" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "scavenge" as const }) },
);

describe("heapPageMap agrees with inspectHeap and spanOf after every step", () => {
  for (const b of heapBackends) {
    it(`on ${b.name}`, () => {
      const seed = seedOf();
      console.log(`pagemap (${b.name}) seed=${seed}`);
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
          const heap = createHeap({ ...b.opts(), gcPercent: 10 });
          const live: number[] = [];
          for (const op of ops) {
            if (op.k === "malloc") {
              const p = heap.tryMalloc(op.size);
              if (p !== 0) live.push(p);
            } else if (op.k === "free" && live.length > 0) heap.free(live.splice(op.pick % live.length, 1)[0]!);
            else if (op.k === "cycle") heap.freeCycle();
            else if (op.k === "scavenge") heap.scavenge(0);
            checkPageMap(heap, heapPageMap(heap));
          }
        }),
        { seed, numRuns: 6 },
      );
    });
  }
});
