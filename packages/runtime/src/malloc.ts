/**
 * Go's mallocgc (malloc.go) behind the Heap's inline fast path: the size
 * checks (negative, non-integer, over maxAlloc; size 0 is Go's zerobase),
 * then the three paths — tiny (tiny.ts), small (size class → the mcache's
 * span → nextFreeFast → nextFree, refilling from mcentral) and large (a span
 * of its own, with Go's page-count overflow check) — then zeroing where the
 * span's `needzero` says memory may be dirty (fresh memory never is), and the
 * heap profile's sampling countdown. Also the array and calloc size checks,
 * and the memory helpers the other paths share. See docs/design.md, "The
 * allocation paths".
 */
import type { MemView } from "@gomalloc/os-mem";
import { F_specials, nextFree, nextFreeFast } from "@gomalloc/span";
import { BadSizeError, NoProcessorError, OutOfMemoryError } from "./errors.js";
import type { Heap } from "./heap.js";
import { allocLarge, MC_ALLOC, MC_MEM_PROF_RATE, MC_NEXT_SAMPLE, refill, reusePop } from "./mcache.js";
import { mallocTiny, maxTinySize } from "./tiny.js";

/** Options of {@link Heap.malloc}. */
export interface MallocOptions {
  /**
   * Return zeroed memory. Only objects whose span's needzero says they may be
   * dirty are cleared (Go's needzero; a reuse-stack take-back sets it as a
   * sweep does): fresh memory from the backend never is.
   * @defaultValue false
   */
  zero?: boolean;
}

/** Throws BadSizeError unless `size` is a safe integer in [0, maxAlloc]. */
export function checkSize(op: string, size: unknown, maxAlloc: number): asserts size is number {
  if (typeof size !== "number" || Number.isNaN(size)) throw new BadSizeError(op, size, "not a number");
  if (!Number.isSafeInteger(size)) throw new BadSizeError(op, size, "not an integer");
  if (size < 0) throw new BadSizeError(op, size, "negative");
  if (size > maxAlloc) throw new BadSizeError(op, size, `over maxAlloc (${maxAlloc})`);
}

/**
 * The bytes of `count` elements of `elemSize` bytes (Go's `math.MulUintptr`
 * check in makeslice): throws BadSizeError if either is not a size, if the
 * product overflows the platform's uintptr or exceeds maxAlloc.
 */
export function arrayBytes(op: string, count: unknown, elemSize: unknown, heap: Heap): number {
  checkSize(op, count, Number.MAX_SAFE_INTEGER);
  checkSize(op, elemSize, Number.MAX_SAFE_INTEGER);
  const bytes = count * elemSize;
  const uintptrMax = 2 ** (heap.profile.PtrSize * 8);
  if (bytes >= uintptrMax || !Number.isSafeInteger(bytes)) {
    throw new BadSizeError(op, `${count} × ${elemSize}`, "the product overflows uintptr");
  }
  if (bytes > heap.maxAlloc) throw new BadSizeError(op, `${count} × ${elemSize}`, `over maxAlloc (${heap.maxAlloc})`);
  return bytes;
}

/**
 * Go's `mcache.nextFree`: the next free object of the mcache's span for spc,
 * refilling it when full. Leaves the span in `heap.lastSpan`. Returns 0 when
 * memory is exhausted.
 */
export function nextFreeSlow(heap: Heap, spc: number): number {
  const t = heap.t;
  let s = heap.v.getF64(heap.mc + MC_ALLOC + 8 * spc);
  let x = nextFree(t, s);
  if (x === 0) {
    s = refill(heap, spc);
    if (s === 0) return 0;
    x = nextFree(t, s);
    if (x === 0) throw new Error("freeIndex is not valid");
  }
  heap.lastSpan = s;
  return x;
}

/** Clears `[addr, addr+n)` (Go's memclrNoHeapPointers), through the checked API when it spans two views. */
export function memclr(heap: Heap, addr: number, n: number): void {
  const v: MemView = heap.sys.viewOf(addr);
  if (v.covers(addr, n)) v.u8.fill(0, addr - v.base, addr - v.base + n);
  else heap.sys.fill(addr, n, 0);
}

/** Go's profiling countdown after an allocation of a `size`-byte slot at x. */
export function profileAlloc(heap: Heap, x: number, size: number): void {
  // One subtraction on the mcache's nextSample; a sample or a rate change leaves for profilealloc.
  const f = heap.v.f64;
  const i = heap.mcSampleD;
  const ns = f[i]! - size;
  f[i] = ns;
  if (ns < 0 || f[i + 1] !== heap.profiler.MemProfileRate) profilealloc(heap, x, size);
}

/** Go's `profilealloc`: records x as a sample and draws the next distance; counts it on its span (Go's specials). */
export function profilealloc(heap: Heap, x: number, size: number): void {
  const v = heap.v;
  const mc = heap.mc;
  const prof = heap.profiler;
  v.setF64(mc + MC_MEM_PROF_RATE, prof.MemProfileRate);
  // As in Go, the allocation that noticed a new rate is recorded even when the rate is 0.
  v.setF64(mc + MC_NEXT_SAMPLE, prof.profilealloc(x, size));
  heap.sampling = prof.MemProfileRate !== 0;
  const s = heap.h.spanOf(x);
  countSpecials(heap, s, 1);
}

/**
 * Adds `d` (±1) to span s's count of live sampled objects (its specials
 * byte), saturating: 255 stays 255. With several Ps on shared memory the byte
 * may be updated by another P at the same time, so it changes by compare-and-swap.
 */
export function countSpecials(heap: Heap, s: number, d: number): void {
  const u8 = heap.v.u8;
  const at = s - heap.v.base + F_specials;
  for (;;) {
    const n = u8[at]!;
    if (n === 255 || n + d < 0) return;
    if (!heap.atomic) {
      u8[at] = n + d;
      return;
    }
    if (Atomics.compareExchange(u8, at, n, n + d) === n) return;
  }
}

/** Go's small noscan path of mallocgc for size in [16, maxSmallSize]; 0 when memory is exhausted. */
export function mallocSmall(heap: Heap, size: number, zero: boolean): number {
  const sc = heap.sizeClasses;
  const c = sc.sizeToClass(size);
  const spc = (c << 1) | 1;
  const t = heap.t;
  const elemsize = sc.class_to_size[c]!;
  let x = reusePop(heap, spc);
  if (x !== 0) {
    if (zero) memclr(heap, x, elemsize); // a freed object: dirty
    profileAlloc(heap, x, elemsize);
    return x;
  }
  let s = heap.v.getF64(heap.mc + MC_ALLOC + 8 * spc);
  x = nextFreeFast(t, s);
  if (x === 0) {
    x = nextFreeSlow(heap, spc);
    if (x === 0) return 0;
    s = heap.lastSpan;
  }
  if (zero && t.needzero(s)) memclr(heap, x, elemsize);
  profileAlloc(heap, x, elemsize);
  return x;
}

/** Go's mallocgcLarge: a span of its own; 0 when memory is exhausted (Go's overflow check included). */
function mallocLarge(heap: Heap, size: number, zero: boolean): number {
  const pageSize = heap.h.geom.pageSize;
  if (size + pageSize > (heap.profile.PtrSize === 8 ? 2 ** 64 : 2 ** 32)) {
    heap.h.lastGrowFailure = "out of memory (size + pageSize overflows uintptr)";
    return 0;
  }
  const s = allocLarge(heap, size);
  if (s === 0) return 0;
  const t = heap.t;
  const x = t.base(s);
  if (zero && t.needzero(s)) memclr(heap, x, size);
  profileAlloc(heap, x, t.npages(s) * pageSize);
  return x;
}

/**
 * Go's mallocgc after the Heap's fast path: checks, then the tiny, small or
 * large path. Returns 0 on exhaustion when `orZero`, else throws
 * OutOfMemoryError; bad sizes throw BadSizeError either way.
 */
export function mallocSlow(heap: Heap, size: number, opts: MallocOptions | undefined, orZero: boolean): number {
  checkSize("malloc", size, heap.maxAlloc);
  if (size === 0) return heap.zerobase;
  if (heap.mc === 0) throw new NoProcessorError("malloc");
  const zero = opts !== undefined && opts.zero === true;
  heap.h.lastGrowFailure = "";
  let x: number;
  heap.syncViews(); // another handle (worker, or one over the same memory here) may have grown it
  if (heap.inSlowW < 0) {
    x = mallocPath(heap, size, zero);
  } else {
    // Several Ps: mark the P as in a slow path (see Heap.enterSlow).
    heap.enterSlow();
    try {
      x = mallocPath(heap, size, zero);
    } finally {
      heap.exitSlow();
    }
  }
  if (x === 0 && !orZero) throw new OutOfMemoryError(size, heap.h.lastGrowFailure);
  return x;
}

function mallocPath(heap: Heap, size: number, zero: boolean): number {
  if (size < maxTinySize) {
    // A tiny block or slot is not cleared when taken (it may hold an earlier life's bytes): clear the object.
    const x = mallocTiny(heap, size);
    if (zero && x !== 0) memclr(heap, x, size);
    return x;
  }
  if (size <= heap.sizeClasses.maxSmallSize) return mallocSmall(heap, size, zero);
  return mallocLarge(heap, size, zero);
}
