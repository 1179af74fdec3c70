// inspectHeap / heapFootprint: exact figures on hand-built heaps, agreement
// with MemStats (checkInspection, IN1–IN6) and with a slow page-by-page
// oracle after every step of random malloc/free/cycle/scavenge sequences on
// every backend, read-only-ness (the heap's statistics and a replay of the
// same operations are unchanged by inspecting), and inspection from a
// second handle without a P. Seeds are logged; replay with FC_SEED.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { attachHeap, checkInspection, createHeap, type Heap, heapFootprint, inspectHeap } from "../src/index.js";
import { heapBackends, seedOf } from "./backends.js";

function check(heap: Heap): ReturnType<typeof inspectHeap> {
  const x = inspectHeap(heap);
  checkInspection(x, heap.readMemStats());
  return x;
}

/** Slow oracle: pages of in-use spans, per arena, by asking spanOf for every page. */
function slowPagesInUse(heap: Heap): Map<number, number> {
  const x = inspectHeap(heap);
  const out = new Map<number, number>();
  for (const a of x.arenas) {
    let n = 0;
    for (let i = 0; i < a.bytes / x.pageSize; i++) {
      const p = a.base + i * x.pageSize;
      const s = heap.h.spanOf(p);
      if (s === 0 || heap.h.spanState(s) !== 1) continue;
      const base = heap.h.spanBase(s);
      if (p >= base && p < base + heap.h.spanNPages(s) * x.pageSize) n++;
    }
    out.set(a.index, n);
  }
  return out;
}

describe("inspectHeap", () => {
  it("counts the spans, objects and waste of one size class exactly", () => {
    const heap = createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) });
    const sc = heap.sizeClasses;
    const c = sc.sizeToClass(100); // 112-byte objects, one 8 KiB page per span
    const size = sc.class_to_size[c]!;
    const nelems = sc.class_to_nelems[c]!;
    const ps: number[] = [];
    for (let i = 0; i < 2 * nelems + 5; i++) ps.push(heap.malloc(100));
    let x = check(heap);
    const k = x.sizeClasses.find((u) => u.sizeclass === c)!;
    expect(k).toEqual({
      sizeclass: c,
      elemsize: size,
      spanPages: 1,
      spans: 3,
      cachedSpans: 1,
      pages: 3,
      capacity: 3 * nelems,
      objects: 2 * nelems + 5,
      freedUnswept: 0,
      freeSlots: nelems - 5,
      bytesInUse: (2 * nelems + 5) * size,
      spanBytes: 3 * 8192,
      freeSlotBytes: (nelems - 5) * size,
      tailWasteBytes: 3 * (8192 - nelems * size),
    });
    for (let i = 0; i < 10; i++) heap.free(ps[i]!);
    x = check(heap);
    const k2 = x.sizeClasses.find((u) => u.sizeclass === c)!;
    expect([k2.objects, k2.freedUnswept, x.cycles.freedUnsweptBytes]).toEqual([2 * nelems - 5, 10, 10 * size]);
    heap.freeCycle();
    x = check(heap);
    const k3 = x.sizeClasses.find((u) => u.sizeclass === c)!;
    expect([k3.objects, k3.freedUnswept, x.cycles.freedUnsweptBytes]).toEqual([2 * nelems - 5, 0, 0]);
    expect(x.cycles.freeCycles).toBeGreaterThanOrEqual(1);
    expect(x.cycles.forcedCycles).toBe(1);
  });

  it("reports large objects as class 0, one span each, and the pages the scavenger released", () => {
    const heap = createHeap({ simulated: "linux/amd64" });
    const big = [heap.malloc(100_000), heap.malloc(1 << 20), heap.malloc(40_000)];
    let x = check(heap);
    const large = x.sizeClasses[0]!;
    expect(large.sizeclass).toBe(0);
    expect(large.spans).toBe(3);
    expect(large.objects).toBe(3);
    expect(large.pages).toBe(13 + 128 + 5);
    expect(large.bytesInUse).toBe(large.spanBytes);
    expect(large.tailWasteBytes + large.freeSlotBytes).toBe(0);
    expect(x.arenas).toHaveLength(1);
    expect(x.arenas[0]!.bytes).toBe(64 << 20);
    expect(x.arenas[0]!.base).toBe(0xc000000000);
    for (const p of big) heap.free(p);
    heap.scavenge(0);
    x = check(heap);
    expect(x.sizeClasses.find((u) => u.sizeclass === 0)).toBeUndefined();
    expect(x.totals.pagesInUse).toBe(0);
    expect(x.totals.pagesReleased * x.pageSize).toBe(heap.readMemStats().HeapReleased);
    expect(x.cycles.scavengedTotal).toBeGreaterThanOrEqual((13 + 128 + 5) * x.pageSize);
    expect(x.memory.bufferBytes).toBeNull();
    const f = heapFootprint(heap);
    expect(f.heapReleased).toBe(x.totals.pagesReleased * x.pageSize);
    expect(f.arenas).toBe(1);
  });

  it("changes nothing: statistics, backend counters and later allocations are the same as without it", () => {
    const trace = (inspect: boolean): unknown[] => {
      const heap = createHeap({ growableSab: { maxByteLength: 64 << 20 } });
      const out: unknown[] = [];
      const live: number[] = [];
      for (let i = 0; i < 3000; i++) {
        if (i % 3 === 2) heap.free(live.splice((i * 7) % live.length, 1)[0]!);
        else live.push(heap.malloc(8 + ((i * 37) % 3000)));
        if (inspect && i % 97 === 0) {
          inspectHeap(heap);
          heapFootprint(heap);
        }
        if (i % 500 === 0) out.push(heap.readMemStats(), heap.sys.stats());
      }
      out.push(live);
      return out;
    };
    expect(trace(true)).toEqual(trace(false));
  });

  it("works from a second handle holding no P, with the same figures", () => {
    const heap = createHeap({ growableSab: { maxByteLength: 64 << 20 } });
    for (let i = 0; i < 500; i++) heap.malloc(16 + i * 3);
    const other = attachHeap(heap.sys);
    expect(other.p).toBe(-1);
    expect(inspectHeap(other)).toEqual(inspectHeap(heap));
    expect(heapFootprint(other)).toEqual(heapFootprint(heap));
  });

  it("checkInspection names the formula a doctored inspection breaks", () => {
    const heap = createHeap({ simulated: "linux/amd64" });
    for (let i = 0; i < 100; i++) heap.malloc(24 + i);
    heap.malloc(50_000);
    const x = inspectHeap(heap);
    const ms = heap.readMemStats();
    const c0 = x.sizeClasses[1]!;
    const a0 = x.arenas[0]!;
    const bad: [string, object][] = [
      ["IN1", { ...x, sizeClasses: [{ ...c0, tailWasteBytes: c0.tailWasteBytes + 1 }] }],
      ["IN2", { ...x, sizeClasses: [{ ...c0, freeSlots: c0.freeSlots + 1 }] }],
      ["IN3", { ...x, arenas: [{ ...a0, pagesFree: a0.pagesFree + 1 }] }],
      ["IN4", { ...x, totals: { ...x.totals, pagesInUse: x.totals.pagesInUse + 1 } }],
      ["IN5", { ...x, totals: { ...x.totals, pagesCached: x.totals.pagesCached + 1 } }],
      ["IN6", { ...x, totals: { ...x.totals, bytesInUse: x.totals.bytesInUse - 8 } }],
    ];
    expect(() => checkInspection(x, ms)).not.toThrow();
    for (const [id, doctored] of bad) {
      expect(() => checkInspection(doctored as typeof x, ms)).toThrow(`invariant ${id} broken`);
    }
  });

  it("on a flat backend reports the buffer's length, at least the Ready bytes", () => {
    const heap = createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) });
    heap.malloc(1 << 20);
    const m = inspectHeap(heap).memory;
    expect(m.backend).toBe("arraybuffer");
    expect(m.bufferBytes).toBeGreaterThanOrEqual(m.ready);
    expect(m.ready).toBeGreaterThan(1 << 20);
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
        fc.integer({ min: 32769, max: 300_000 }),
      ),
    }),
  },
  { weight: 8, arbitrary: fc.record({ k: fc.constant("free" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ k: "cycle" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "scavenge" as const }) },
);

describe("inspectHeap agrees with MemStats and a page-by-page oracle after every step", () => {
  for (const b of heapBackends) {
    it(`on ${b.name}`, () => {
      const seed = seedOf();
      console.log(`inspect (${b.name}) seed=${seed}`);
      fc.assert(
        fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
          const heap = createHeap({ ...b.opts(), gcPercent: 10 });
          const live: number[] = [];
          for (const op of ops) {
            if (op.k === "malloc") live.push(heap.malloc(op.size));
            else if (op.k === "free" && live.length > 0) heap.free(live.splice(op.pick % live.length, 1)[0]!);
            else if (op.k === "cycle") heap.freeCycle();
            else if (op.k === "scavenge") heap.scavenge(0);
            const x = check(heap);
            const slow = slowPagesInUse(heap);
            for (const a of x.arenas) expect(a.pagesInUse).toBe(slow.get(a.index));
            const ms = heap.readMemStats();
            for (const c of x.sizeClasses) {
              if (c.sizeclass === 0 || c.sizeclass >= ms.BySize.length) continue;
              const bs = ms.BySize[c.sizeclass]!;
              expect(c.objects).toBe(bs.Mallocs - bs.Frees);
            }
            expect(x.cycles.freeCycles).toBe(ms.NumGC);
          }
          heap.checkInvariants();
        }),
        { seed, numRuns: 8 },
      );
    });
  }
});
