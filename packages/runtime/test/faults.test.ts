// Fault injection through the backend: refuse the Nth reservation, map or
// commit at every step of a workload, or cap mapped / committed bytes. Each
// refused allocation is a typed OutOfMemoryError (or 0 from tryMalloc); the
// heap stays consistent, no live object is disturbed, and allocation works
// again once memory is available.
import { ArrayBufferSysMemory, SimSysMemory, type SysMemory } from "@gomalloc/os-mem";
import { describe, expect, it } from "vitest";
import { createHeap, type Heap, OutOfMemoryError } from "../src/index.js";
import { HeapModel } from "./model.js";

const sizes = [8, 24, 100, 700, 3000, 20000, 40000, 200000, 5, 16, 1500, 70000];

/** Runs the workload until a fault hits; returns the number of OutOfMemoryErrors seen. */
function workload(heap: Heap, model: HeapModel, steps: number): number {
  let ooms = 0;
  for (let i = 0; i < steps; i++) {
    const size = sizes[i % sizes.length]!;
    try {
      model.malloc(size, i % 3 === 0);
    } catch (e) {
      expect(e).toBeInstanceOf(OutOfMemoryError);
      ooms++;
      heap.checkInvariants();
      model.check();
    }
    if (i % 4 === 3) {
      const objs = model.objects();
      if (objs.length > 0) model.free(objs[(i * 31) % objs.length]!);
    }
  }
  return ooms;
}

function simHeap(): Heap {
  return createHeap({ memory: new SimSysMemory({ addressSpaceEnd: 2 ** 47 }) });
}
function flatHeap(): Heap {
  return createHeap({ memory: ArrayBufferSysMemory.create(new ArrayBuffer(0, { maxByteLength: 64 << 20 })) });
}

describe("refused reserve / map / commit at every step", () => {
  for (const [name, make] of [
    ["simulated linux/amd64", simHeap],
    ["arraybuffer js/wasm", flatHeap],
  ] as const) {
    for (const kind of ["reserve", "map", "used"] as const) {
      it(`${name}: the Nth ${kind} call is refused, for every N the workload reaches`, () => {
        // Count the calls of a clean run, then refuse each of them in turn.
        const clean = make();
        const base = countOf(clean.sys, kind);
        workload(clean, new HeapModel(clean), 60);
        const total = countOf(clean.sys, kind) - base;
        expect(total).toBeGreaterThan(0);
        let sawOOM = 0;
        for (let n = 1; n <= total; n++) {
          const heap = make();
          const model = new HeapModel(heap);
          const f = heap.sys.faults;
          const at = countOf(heap.sys, kind) + n;
          if (kind === "reserve") f.refuseReserveAt.add(at);
          else if (kind === "map") f.refuseMapAt.add(at);
          else f.refuseUsedAt.add(at);
          sawOOM += workload(heap, model, 60);
          heap.checkInvariants();
          model.check();
          // Memory is available again: allocation works, old objects are intact.
          f.clear();
          model.malloc(1000);
          model.malloc(100000);
          model.check();
          heap.checkInvariants();
        }
        expect(sawOOM).toBeGreaterThan(0);
      });
    }
  }
});

function countOf(sys: SysMemory, kind: "reserve" | "map" | "used"): number {
  const f = sys.faults;
  return kind === "reserve" ? f.reserveCalls : kind === "map" ? f.mapCalls : f.usedCalls;
}

describe("capped memory", () => {
  it("a committed-bytes cap gives OutOfMemoryError (tryMalloc: 0), and raising it lets the heap grow again", () => {
    const heap = simHeap();
    const model = new HeapModel(heap);
    heap.sys.faults.commitLimit = heap.sys.stats().ready + (2 << 20);
    let ooms = 0;
    for (let i = 0; i < 200; i++) {
      try {
        model.malloc(30000 + (i % 7) * 1000);
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        expect((e as OutOfMemoryError).size).toBeGreaterThan(30000 - 1);
        ooms++;
      }
    }
    expect(ooms).toBeGreaterThan(0);
    expect(heap.tryMalloc(40000)).toBe(0);
    heap.checkInvariants();
    model.check();
    heap.sys.faults.commitLimit = Number.POSITIVE_INFINITY;
    model.malloc(40000);
    model.check();
  });
  it("tryMalloc of small and tiny sizes answers 0 when a fixed buffer is full, then allocates again after a free", () => {
    const heap = createHeap({ buffer: new ArrayBuffer(4 << 20) });
    for (const size of [1024, 8]) {
      const objs: number[] = [];
      // Through malloc's inline fast paths (tryMalloc uses them for these sizes) until a refill fails.
      for (let p = heap.tryMalloc(size); p !== 0; p = heap.tryMalloc(size)) objs.push(p);
      expect(objs.length).toBeGreaterThan(100);
      expect(() => heap.malloc(size)).toThrow(OutOfMemoryError);
      heap.checkInvariants();
      for (const q of objs) heap.free(q);
      heap.freeCycle();
      const again = heap.tryMalloc(size);
      expect(again).not.toBe(0);
      heap.free(again);
      heap.checkInvariants();
      expect(heap.readMemStats().Mallocs - heap.readMemStats().Frees).toBeLessThanOrEqual(1); // the P's tiny block
    }
  });
  it("a fixed ArrayBuffer runs out: typed error, then freeing makes room without growth", () => {
    const heap = createHeap({ buffer: new ArrayBuffer(8 << 20) });
    const model = new HeapModel(heap);
    const objs = [];
    for (;;) {
      try {
        objs.push(model.malloc(64 << 10));
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        expect((e as Error).message).toMatch(/out of memory/);
        break;
      }
    }
    expect(objs.length).toBeGreaterThan(10);
    heap.checkInvariants();
    model.free(objs[3]!);
    model.malloc(64 << 10);
    model.check();
    heap.checkInvariants();
  });
  it.each([
    { name: "resizable ArrayBuffer", opts: () => ({ buffer: new ArrayBuffer(0, { maxByteLength: 3 << 20 }) }) },
    { name: "growable SharedArrayBuffer", opts: () => ({ growableSab: { maxByteLength: 3 << 20 } }) },
    {
      name: "WebAssembly.Memory",
      opts: () => ({ wasmMemory: new WebAssembly.Memory({ initial: 0, maximum: 48 }), maximumPages: 48 }),
    },
  ])("$name with a 3 MiB limit: the buffer grows with the pages in use to the limit, then a typed error", (b) => {
    const heap = createHeap(b.opts());
    const model = new HeapModel(heap);
    const buffer = () => heap.sys.viewOf(0).buffer.byteLength;
    model.malloc(100);
    expect(buffer()).toBeLessThan(1 << 20); // Go maps 4 MiB of heap; only the pages in use are backed
    const objs = [];
    for (;;) {
      try {
        objs.push(model.malloc(1000 + (objs.length % 7) * 3000));
      } catch (e) {
        expect(e).toBeInstanceOf(OutOfMemoryError);
        break;
      }
    }
    expect(buffer()).toBe(3 << 20);
    expect(objs.reduce((n, o) => n + o.size, 0)).toBeGreaterThan(2 << 20); // most of the buffer held objects
    heap.checkInvariants();
    model.check();
    for (const o of objs.splice(0, objs.length >> 1)) model.free(o);
    for (let i = 0; i < 50; i++) model.malloc(2000);
    model.check();
    heap.checkInvariants();
  });
});
