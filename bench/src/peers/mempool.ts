/**
 * @thi.ng/malloc's MemPool: a first-fit free list over one fixed ArrayBuffer,
 * 8-byte aligned, with block splitting and compaction of neighbouring free
 * blocks (its defaults). `free` and `realloc` walk the list of used blocks to
 * find the pointer, so their cost grows with the number of live objects.
 * The pool cannot grow: the bench sizes its buffer from the trace (a power of
 * two ≥ 4 × peak live + 4 × largest size + 1 MiB). Backing bytes: the pool's
 * `top`, the high-water mark of the buffer ever handed out (the rest of the
 * preallocated buffer is address space a user must still reserve up front,
 * but pages never written are not resident on Linux).
 * See bench/README.md.
 */
import { MemPool } from "@thi.ng/malloc";
import type { AllocatorEntry, BenchAllocator, TraceHint } from "../registry.js";

class MemPoolAllocator implements BenchAllocator {
  private readonly pool: MemPool;
  readonly bytes = (ptr: number, size: number): Uint8Array => new Uint8Array(this.pool.buf, ptr, size);

  constructor(size: number) {
    this.pool = new MemPool({ size });
  }

  malloc(size: number): number {
    return this.pool.malloc(size);
  }

  free(ptr: number): void {
    this.pool.free(ptr);
  }

  realloc(ptr: number, size: number): number {
    return this.pool.realloc(ptr, size);
  }

  backingBytes(): number {
    return this.pool.stats().top;
  }
}

/** Pool size for a trace: a power of two with room for fragmentation, at most 2 GiB. */
export function memPoolSize(hint: TraceHint): number {
  const want = 4 * hint.peakLiveBytes + 4 * hint.maxSize + (1 << 20);
  let size = 1 << 20;
  while (size < want && size < 2 ** 31) size *= 2;
  return size;
}

/** @thi.ng/malloc 6.1.150 `MemPool` with default options. */
export const memPool: AllocatorEntry = {
  name: "thi.ng-mempool",
  backing: "MemPool stats().top: high-water mark of the fixed pool buffer (sized up front from the trace, never grows)",
  create(hint) {
    return new MemPoolAllocator(memPoolSize(hint));
  },
};
