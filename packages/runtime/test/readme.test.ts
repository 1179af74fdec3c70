// The README's first example, run as written (with its comments as assertions).
import { SabSysMemory } from "@gomalloc/os-mem";
import { expect, it } from "vitest";
import { attachHeap, createHeap } from "../src/index.js";

it("README: createHeap on an ArrayBuffer, malloc/free, stats", () => {
  // --- README ---
  const heap = createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: 64 << 20 }) });

  const p = heap.malloc(100); // an address (a byte offset into the buffer)
  heap.u8.set([1, 2, 3], p); // heap.u8/u16/u32/i32/f32/f64/dv view the whole buffer
  const q = heap.calloc(10, 8); // zeroed
  const r = heap.realloc(p, 300); // keeps the first 100 bytes
  heap.usableSize(r); // 320: Go's size class for 300 bytes (after growslice's growth)
  heap.free(q);
  heap.free(r);

  const ms = heap.readMemStats(); // Go's runtime.MemStats
  ms.HeapAlloc; // 0: every object freed
  ms.Mallocs; // 3
  ms.HeapSys; // heap memory obtained from the buffer
  heap.checkInvariants(); // every heap invariant, recomputed
  // --- end ---
  expect([...heap.u8.subarray(r, r + 3)]).toEqual([1, 2, 3]);
  expect(heap.usableSize(heap.malloc(300))).toBe(320);
  expect(ms.HeapAlloc).toBe(0);
  expect(ms.Mallocs).toBe(3);
  expect(ms.HeapSys).toBeGreaterThan(0);
});

it("README: the same heap over other memory", () => {
  const w = createHeap({ wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: 4096 }), maximumPages: 4096 });
  expect(w.malloc(10)).toBeGreaterThan(0);
  const s = createHeap({ growableSab: { maxByteLength: 1 << 30 } });
  const other = attachHeap(SabSysMemory.attach((s.sys as SabSysMemory).sab));
  expect(other.readMemStats()).toEqual(s.readMemStats());
  expect(createHeap({ simulated: "linux/amd64" }).malloc(100)).toBe(0xc000000000);
  expect(createHeap({ buffer: new ArrayBuffer(16 << 20), goVersion: "1.19" }).profile.heapArenaBytes).toBe(4 << 20);
});
