/**
 * Plain `new Uint8Array(n)` per object, left to V8's garbage collector: what
 * a JS program does without a manual allocator. The "pointer" is a handle
 * (index + 1) into a table of arrays, because the replay interface deals in
 * numbers; free drops the table's reference and recycles the handle. Backing
 * bytes: the growth of V8's `heapUsed + arrayBuffers` (process.memoryUsage())
 * since the allocator was made, after a full GC when `--expose-gc` is on.
 * Small typed arrays live on the JS heap, larger ones in ArrayBuffer backing
 * stores, hence the sum; it includes garbage the collector has not yet
 * reclaimed (memory the process really holds), and it is noisy.
 * See bench/README.md.
 */
import type { AllocatorEntry, BenchAllocator } from "../registry.js";

const empty = new Uint8Array(0);

function usage(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

class Uint8ArrayAllocator implements BenchAllocator {
  private arrays: Uint8Array[] = [];
  private freeHandles: number[] = [];
  private readonly base: number;
  readonly bytes = (ptr: number, _size: number): Uint8Array => this.arrays[ptr - 1]!;

  constructor() {
    (globalThis as { gc?: () => void }).gc?.();
    this.base = usage();
  }

  malloc(size: number): number {
    const a = new Uint8Array(size);
    const h = this.freeHandles.length > 0 ? this.freeHandles.pop()! : this.arrays.length;
    this.arrays[h] = a;
    return h + 1;
  }

  free(ptr: number): void {
    this.arrays[ptr - 1] = empty;
    this.freeHandles.push(ptr - 1);
  }

  realloc(ptr: number, size: number): number {
    const old = this.arrays[ptr - 1]!;
    const a = new Uint8Array(size);
    a.set(old.length <= size ? old : old.subarray(0, size));
    this.arrays[ptr - 1] = a;
    return ptr;
  }

  backingBytes(): number {
    return Math.max(0, usage() - this.base);
  }
}

/** `new Uint8Array(n)` per object; free = drop the reference. */
export const uint8Array: AllocatorEntry = {
  name: "uint8array-gc",
  backing:
    "growth of process.memoryUsage() heapUsed + arrayBuffers since creation (after gc() with --expose-gc): includes uncollected garbage, noisy",
  create() {
    return new Uint8ArrayAllocator();
  },
};
