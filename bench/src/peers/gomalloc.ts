/**
 * gomalloc, the reference: a `createHeap` heap per round, called through a
 * small class so the replay loop's call sites stay monomorphic. Four
 * variants: over a resizable ArrayBuffer (the js/wasm shape, the one users
 * of a single-threaded buffer would pick), over a growable SharedArrayBuffer
 * (the same shape, shared-memory arrays), over a WebAssembly.Memory (the
 * same shape on a plain ArrayBuffer), and over the simulated 48-bit
 * linux/amd64 address space (Go's own arenas and 4 KiB physical pages).
 * Backing bytes, metadata included: for the flat buffers the buffer's
 * length — every byte of a grown ArrayBuffer exists whatever the page
 * states, since it cannot give memory back (it is ≥ the Ready bytes); for
 * the simulated backend the Ready (committed) bytes of the SysMemory, since
 * it decommits released pages as Linux does. OutOfMemoryError is reported to
 * the driver as 0, its failure sentinel. See bench/README.md.
 */
import { createHeap, type Heap, OutOfMemoryError } from "@gomalloc/runtime";
import type { AllocatorEntry, BenchAllocator } from "../registry.js";

/** Largest buffer a flat variant may grow to (address space only until used). */
const maxBufferBytes = 2 ** 31;

class GomallocAllocator implements BenchAllocator {
  private readonly heap: Heap;
  private readonly flat: boolean;
  readonly bytes: (ptr: number, size: number) => Uint8Array;

  constructor(heap: Heap) {
    this.heap = heap;
    this.flat = heap.sys.caps.backend !== "simulated";
    // heap.u8 is re-read per call: the buffer's arrays are rebound when it grows.
    this.bytes = this.flat ? (p, n) => this.heap.u8.subarray(p, p + n) : (p, n) => this.heap.view(p, n);
  }

  malloc(size: number): number {
    try {
      return this.heap.malloc(size);
    } catch (err) {
      if (err instanceof OutOfMemoryError) return 0;
      throw err;
    }
  }

  free(ptr: number): void {
    this.heap.free(ptr);
  }

  realloc(ptr: number, size: number): number {
    try {
      return this.heap.realloc(ptr, size);
    } catch (err) {
      if (err instanceof OutOfMemoryError) return 0;
      throw err;
    }
  }

  backingBytes(): number {
    const sys = this.heap.sys;
    return this.flat ? sys.viewOf(0).buffer.byteLength : sys.stats().ready;
  }
}

/** gomalloc over a resizable ArrayBuffer (js/wasm shape, Go 1.26 policies): the reference. */
export const gomalloc: AllocatorEntry = {
  name: "gomalloc",
  backing:
    "ArrayBuffer byteLength: the whole buffer (heap, metadata and released pages, which a flat buffer cannot return)",
  create() {
    return new GomallocAllocator(createHeap({ buffer: new ArrayBuffer(0, { maxByteLength: maxBufferBytes }) }));
  },
};

/** gomalloc over a growable SharedArrayBuffer (the buffer workers would share). */
export const gomallocSab: AllocatorEntry = {
  name: "gomalloc-sab",
  backing: "SharedArrayBuffer byteLength: the whole buffer, as for gomalloc",
  create() {
    return new GomallocAllocator(createHeap({ growableSab: { maxByteLength: maxBufferBytes } }));
  },
};

/**
 * gomalloc over a WebAssembly.Memory (what a wasm host would hand it, and the
 * backing store TLSF runs on): the same js/wasm shape as `gomalloc`, but the
 * memory's buffer is a plain ArrayBuffer (replaced on grow, the views rebound),
 * which V8 indexes faster than any view of a resizable ArrayBuffer.
 */
export const gomallocWasm: AllocatorEntry = {
  name: "gomalloc-wasm",
  backing: "WebAssembly.Memory buffer.byteLength: the whole memory, as for gomalloc",
  create() {
    return new GomallocAllocator(
      createHeap({ wasmMemory: new WebAssembly.Memory({ initial: 0, maximum: maxBufferBytes / 65536 }) }),
    );
  },
};

/** gomalloc on the simulated linux/amd64 address space (Go's arenas at 0xc000000000, 4 KiB pages). */
export const gomallocSim: AllocatorEntry = {
  name: "gomalloc-sim",
  backing: "Ready (committed) bytes of the simulated SysMemory, heap and metadata; released pages are decommitted",
  create() {
    return new GomallocAllocator(createHeap({ simulated: "linux/amd64" }));
  },
};
