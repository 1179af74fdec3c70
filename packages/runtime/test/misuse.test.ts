// Deliberate misuse (Go's test-wrong.c spirit): double frees of small, tiny
// and large objects, foreign pointers (free pages, metadata, outside the
// heap, another heap), interior pointers, bad sizes, calls without a P. Each
// is answered by a typed error and the heap is unchanged: same statistics,
// every live object intact, invariants hold, the next malloc works.
import { describe, expect, it } from "vitest";
import {
  attachHeap,
  BadSizeError,
  createHeap,
  DoubleFreeError,
  ForeignPointerError,
  growCapacity,
  type Heap,
  HeapOptionError,
  InteriorPointerError,
  NoProcessorError,
  type ScavengeGoal,
} from "../src/index.js";
import { heapBackends } from "./backends.js";
import { HeapModel } from "./model.js";

/** Throws unless `f` throws an instance of `cls` and leaves the heap as it was. */
function rejected(heap: Heap, model: HeapModel, f: () => unknown, cls: abstract new (...a: never[]) => Error): void {
  const before = JSON.stringify(heap.readMemStats());
  expect(f).toThrow(cls);
  expect(JSON.stringify(heap.readMemStats())).toBe(before);
  model.check();
  heap.checkInvariants();
}

describe.each(heapBackends.filter((_, i) => i === 0 || i === 1 || i === 2 || i === 6))("misuse on $name", (b) => {
  function setup() {
    const heap = createHeap(b.opts());
    const model = new HeapModel(heap);
    for (const n of [3, 5, 7, 24, 24, 100, 3000, 50000, 300000]) model.malloc(n);
    return { heap, model };
  }

  it("double free of a small object, before and after its span is swept", () => {
    const { heap, model } = setup();
    const o = model.malloc(48);
    model.malloc(48);
    model.free(o);
    rejected(heap, model, () => heap.free(o.p), DoubleFreeError);
    model.cycle();
    rejected(heap, model, () => heap.free(o.p), DoubleFreeError);
    model.malloc(48);
  });

  it("double free of a tiny object; interior and never-allocated tiny pointers", () => {
    const { heap, model } = setup();
    const a = model.malloc(4);
    const b2 = model.malloc(4);
    model.free(a);
    rejected(heap, model, () => heap.free(a.p), DoubleFreeError);
    rejected(heap, model, () => heap.free(b2.p + 1), InteriorPointerError);
    rejected(heap, model, () => heap.usableSize(a.p), ForeignPointerError);
  });

  it("usableSize of small objects: live answers the slot; freed (swept or not), interior and never-allocated are typed errors", () => {
    const { heap, model } = setup();
    const a = model.malloc(100);
    const b = model.malloc(100);
    expect(heap.usableSize(a.p)).toBe(112);
    model.free(a); // recorded in the span's freed bitmap, not yet swept
    rejected(heap, model, () => heap.usableSize(a.p), ForeignPointerError);
    rejected(heap, model, () => heap.usableSize(b.p + 8), InteriorPointerError);
    rejected(heap, model, () => heap.usableSize(b.p + 112 * 5), ForeignPointerError); // past freeindex, never allocated
    heap.freeCycle();
    rejected(heap, model, () => heap.usableSize(a.p), ForeignPointerError);
    expect(heap.usableSize(b.p)).toBe(112);
  });

  it("double free of a large object (its pages are back in the heap)", () => {
    const { heap, model } = setup();
    const o = model.malloc(200000);
    model.free(o);
    rejected(heap, model, () => heap.free(o.p), DoubleFreeError);
    rejected(heap, model, () => heap.free(o.p + 100), ForeignPointerError); // inside free pages
    rejected(heap, model, () => heap.free(o.p + heap.pageSize), ForeignPointerError);
  });

  it("interior pointers into small and large objects", () => {
    const { heap, model } = setup();
    const s = model.malloc(100);
    const l = model.malloc(100000);
    rejected(heap, model, () => heap.free(s.p + 8), InteriorPointerError);
    rejected(heap, model, () => heap.free(l.p + heap.pageSize), InteriorPointerError);
    rejected(heap, model, () => heap.realloc(s.p + 1, 10), InteriorPointerError);
    rejected(heap, model, () => heap.usableSize(l.p + 1), InteriorPointerError);
  });

  it("foreign pointers: outside the heap, metadata, not a number, another heap's objects", () => {
    const { heap, model } = setup();
    for (const p of [1, 0x1000, 2 ** 52, -8, 1.5, Number.NaN, heap.root, heap.emptymspan]) {
      rejected(heap, model, () => heap.free(p), ForeignPointerError);
    }
    const other = createHeap(
      b.name.startsWith("simulated") ? { buffer: new ArrayBuffer(8 << 20) } : { simulated: "linux/amd64" },
    );
    const q = other.malloc(100);
    rejected(heap, model, () => heap.free(q), ForeignPointerError);
  });

  it("bad sizes to malloc, calloc, mallocArray and realloc", () => {
    const { heap, model } = setup();
    const o = model.malloc(100);
    for (const n of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, heap.maxAlloc + 1, "12" as unknown as number]) {
      rejected(heap, model, () => heap.malloc(n), BadSizeError);
      rejected(heap, model, () => heap.tryMalloc(n), BadSizeError);
      rejected(heap, model, () => heap.realloc(o.p, n), BadSizeError);
      rejected(heap, model, () => heap.calloc(n, 1), BadSizeError);
    }
    rejected(heap, model, () => heap.mallocArray(2 ** 40, 2 ** 20), BadSizeError);
    model.malloc(100);
  });

  it("a handle without a P cannot allocate or free, but reads", () => {
    const { heap, model } = setup();
    const ro = attachHeap(heap.sys);
    const o = model.objects()[0]!;
    rejected(heap, model, () => ro.malloc(8), NoProcessorError);
    rejected(heap, model, () => ro.free(o.p), NoProcessorError);
    expect(ro.usableSize(o.p)).toBe(heap.usableSize(o.p));
    expect(ro.readMemStats()).toEqual(heap.readMemStats());
  });
});

describe("bad options and arguments outside malloc/free", () => {
  const buf = () => ({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) });

  it("createHeap checks scavengeGoal as setScavengeGoal does", () => {
    for (const goal of [
      { retainedBytes: Number.NaN },
      { retainedBytes: -1 },
      { fraction: Number.NaN },
      { heapGoalFraction: -0.5 },
      { heapGoalFraction: Number.NEGATIVE_INFINITY },
      {},
    ]) {
      expect(() => createHeap({ ...buf(), scavengeGoal: goal as ScavengeGoal })).toThrow(HeapOptionError);
    }
    const heap = createHeap({ ...buf(), scavengeGoal: { retainedBytes: Number.POSITIVE_INFINITY } });
    heap.free(heap.malloc(1 << 20));
    expect(heap.readMemStats().HeapReleased).toBe(0); // Infinity: the scavenger is off
  });

  it("gcPercent must be an integer in Go's int32 range; NextGC stays a safe integer", () => {
    for (const g of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, 2 ** 31, 2 ** 53]) {
      expect(() => createHeap({ ...buf(), gcPercent: g })).toThrow(HeapOptionError);
    }
    const heap = createHeap({ ...buf(), gcPercent: 2 ** 31 - 1 });
    heap.malloc(1 << 20);
    heap.checkInvariants(); // MS8: NextGC is a safe integer
    expect(heap.readMemStats().NextGC).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(createHeap({ ...buf(), gcPercent: -1 }).heapGoal()).toBe(Number.POSITIVE_INFINITY);
  });

  it("heapGoal is never below the live heap's floor, even while frees outrun the counted allocations", () => {
    const heap = createHeap({ ...buf(), gcPercent: 0 });
    for (let i = 0; i < 1000; i++) heap.free(heap.malloc(1000));
    expect(heap.heapGoal()).toBeGreaterThanOrEqual(0);
    const h100 = createHeap(buf());
    h100.free(h100.malloc(100));
    expect(h100.heapGoal()).toBeGreaterThanOrEqual(4 << 20);
  });

  it("scavenge takes a retained size ≥ 0 (Infinity releases nothing)", () => {
    const heap = createHeap(buf());
    const model = new HeapModel(heap);
    model.malloc(100);
    model.free(model.malloc(1 << 20));
    for (const r of [Number.NaN, -1, Number.NEGATIVE_INFINITY]) {
      rejected(heap, model, () => heap.scavenge(r), HeapOptionError);
    }
    expect(heap.scavenge(Number.POSITIVE_INFINITY)).toBe(0);
    expect(heap.scavenge()).toBeGreaterThan(0);
    model.check();
  });

  it("growCapacity takes byte counts: safe integers ≥ 0", () => {
    expect(growCapacity(0, 0)).toBe(0);
    expect(growCapacity(100, 150)).toBe(200);
    expect(growCapacity(1000, 1001)).toBe(1442);
    for (const [o, w] of [
      [Number.NaN, 5],
      [5, Number.NaN],
      [-1, 10],
      [10, -1],
      [0.5, 3],
      [1, Number.POSITIVE_INFINITY],
      [2 ** 53, 1],
    ] as const) {
      expect(() => growCapacity(o, w)).toThrow(BadSizeError);
    }
  });
});
