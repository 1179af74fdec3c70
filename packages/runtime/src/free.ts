/**
 * The free side (gomalloc's explicit free; design decision 5) behind the
 * Heap's inline fast path: classifying a pointer (zerobase, foreign, inside
 * free pages, a freed large object's base, an interior pointer, a tiny
 * object), freeing tiny objects (tiny.ts) and large objects (their span goes
 * back to the page heap at once, under the heap lock), usableSize, and
 * realloc — in place when the size class or the pages allow, else moved with
 * Go's growslice growth. Small frees only mark the object in its span's
 * freed bitmap; sweeping applies them (mcache.ts, mheap's mgcsweep.ts).
 * See docs/design.md, "Free cycles".
 */
import {
  F_allocCount,
  F_classWord,
  F_freed,
  F_specials,
  isFree,
  mSpanInUse,
  objIndex,
  free as spanFree,
} from "@gomalloc/span";
import { DoubleFreeError, ForeignPointerError, InteriorPointerError, NoProcessorError } from "./errors.js";
import type { Heap } from "./heap.js";
import { checkSize, countSpecials } from "./malloc.js";
import { MC_LARGE_ALLOC, MC_LARGE_FREE, MC_LARGE_FREE_COUNT, reusePushFreed } from "./mcache.js";
import { freeTiny, tinyUsableSize } from "./tiny.js";

/** The in-use span holding p, or throws ForeignPointerError / DoubleFreeError (a freed large object's base). */
export function spanForPointer(heap: Heap, p: number, op: string): number {
  if (typeof p !== "number" || !Number.isSafeInteger(p) || p <= 0) {
    throw new ForeignPointerError(p, 0, `${op}: not an address in this heap`);
  }
  const h = heap.h;
  const s = h.spanOf(p);
  if (s === 0) throw new ForeignPointerError(p, 0, "not in this heap's arenas");
  const t = heap.t;
  const base = t.base(s);
  if (t.state(s) !== mSpanInUse || p < base || p >= base + t.npages(s) * h.geom.pageSize) {
    if (op === "free" && p % h.geom.pageSize === 0 && h.freedSpanBase(p)) throw new DoubleFreeError(p, s);
    throw new ForeignPointerError(p, 0, "inside free heap pages");
  }
  return s;
}

/** Frees p (everything but the small-object fast path). */
export function freeSlow(heap: Heap, p: number): void {
  if (p === 0 || p === heap.zerobase) return;
  if (heap.mc === 0) throw new NoProcessorError("free");
  heap.syncViews(); // another handle (worker, or one over the same memory here) may have grown it
  if (heap.inSlowW < 0) {
    freeSlow1(heap, p);
    return;
  }
  heap.enterSlow();
  try {
    freeSlow1(heap, p);
  } finally {
    heap.exitSlow();
  }
}

function freeSlow1(heap: Heap, p: number): void {
  const s = spanForPointer(heap, p, "free");
  const t = heap.t;
  const spc = t.spanclass(s);
  if (spc >>> 1 === 0) {
    freeLarge(heap, s, p);
    return;
  }
  if (t.getU8(s, F_specials) !== 0) unprofile(heap, s, p);
  if (spc === heap.tinySpc && freeTiny(heap, s, p)) return;
  freeSmall(heap, s, spc, p);
}

/**
 * Go's `freeSpecial` for a profile record: when p was sampled, records its
 * free and counts it off its span's specials byte, so a span whose sampled
 * objects are all freed takes the free fast path again (255 is sticky).
 */
function unprofile(heap: Heap, s: number, p: number): void {
  if (!heap.profiler.recordFree(p)) return;
  countSpecials(heap, s, -1);
}

/**
 * The span layer's free of object p of span s, remote (atomic) with several
 * Ps. With several Ps the P that owns s may be sweeping it meanwhile (under
 * the mcentral lock), and for an instant the bitmaps this reads can show a
 * live object as free (the old allocBits block is cleared as it is swapped
 * out); so a misuse error is confirmed under the mcentral lock, where no
 * sweep runs, before it is thrown.
 */
export function freeInSpan(heap: Heap, s: number, p: number): void {
  try {
    spanFree(heap.t, s, p, heap.atomic);
  } catch (e) {
    if (!heap.atomic || !(e instanceof DoubleFreeError || e instanceof ForeignPointerError)) throw e;
    heap.lockCentral();
    try {
      spanFree(heap.t, s, p, true);
    } finally {
      heap.unlockCentral();
    }
  }
}

/** Frees a small object: the span layer's free, the P's statistics, and the reuse stack. */
export function freeSmall(heap: Heap, s: number, spc: number, p: number): void {
  // With several Ps the slow path frees remotely (atomically) even on a span this P owns.
  freeInSpan(heap, s, p);
  reusePushFreed(heap, spc >>> 1, s, objIndex(heap.t, s, p));
  const v = heap.v;
  const mc = heap.mc;
  const at = mc + heap.layout.smallFreeCount + 8 * (spc >>> 1);
  v.setF64(at, v.getF64(at) + 1);
}

/** Frees a large object: its span goes back to the page heap at once; then an explicit scavenger goal is checked. */
function freeLarge(heap: Heap, s: number, p: number): void {
  heap.lockCentral();
  try {
    freeLargeLocked(heap, s, p);
  } finally {
    heap.unlockCentral();
  }
}

/** {@link freeLarge} under the mcentral lock (so two workers freeing one large object cannot both succeed). */
function freeLargeLocked(heap: Heap, s: number, p: number): void {
  const t = heap.t;
  const h = heap.h;
  const base = t.base(s);
  if (p !== base) throw new InteriorPointerError(p, base);
  if (t.allocCount(s) !== 1) throw new DoubleFreeError(p, s);
  if (t.getU8(s, F_specials) !== 0) unprofile(heap, s, p);
  const bytes = t.npages(s) * h.geom.pageSize;
  const v = heap.v;
  const mc = heap.mc;
  v.setF64(mc + MC_LARGE_FREE, v.getF64(mc + MC_LARGE_FREE) + bytes);
  v.setF64(mc + MC_LARGE_FREE_COUNT, v.getF64(mc + MC_LARGE_FREE_COUNT) + 1);
  t.setU32(s, F_allocCount, 0);
  h.freeSpan(s);
  heap.afterLargeFree();
}

/** The usable size of the object at p (see {@link Heap.usableSize}). */
export function usableSize(heap: Heap, p: number): number {
  if (p === 0 || p === heap.zerobase) return 0;
  heap.syncViews();
  const s = spanForPointer(heap, p, "usableSize");
  const t = heap.t;
  const spc = t.spanclass(s);
  if (spc >>> 1 === 0) {
    if (p !== t.base(s)) throw new InteriorPointerError(p, t.base(s));
    return t.npages(s) * heap.h.geom.pageSize;
  }
  if (spc === heap.tinySpc) {
    const n = tinyUsableSize(heap, s, p);
    if (n >= 0) return n;
  }
  const base = t.base(s);
  if (p >= t.limit(s)) throw new ForeignPointerError(p, s, "pointer is outside the span's objects");
  const i = objIndex(t, s, p);
  const es = t.elemsize(s);
  if (p !== base + i * es) throw new InteriorPointerError(p, base + i * es);
  // With several Ps "not allocated" is confirmed under the mcentral lock (see freeInSpan).
  if (notAllocated(heap, s, i) && (!heap.atomic || notAllocatedLocked(heap, s, i))) {
    throw new ForeignPointerError(p, s, "not an allocated object (freed?)");
  }
  return es;
}

/** Whether object i of span s is free, or recorded as freed and not yet swept (its local or remote freed bit). */
function notAllocated(heap: Heap, s: number, i: number): boolean {
  if (isFree(heap.t, s, i)) return true;
  const u = heap.v.u32;
  const fl = heap.t.getU32(s, F_freed) + 2 * (i >>> 5);
  return (((u[fl]! | u[fl + 1]!) >>> (i & 31)) & 1) !== 0;
}

/** {@link notAllocated} under the mcentral lock, where no sweep runs. */
function notAllocatedLocked(heap: Heap, s: number, i: number): boolean {
  heap.lockCentral();
  try {
    return notAllocated(heap, s, i);
  } finally {
    heap.unlockCentral();
  }
}

/**
 * Go's growslice capacity rule, in bytes: double small sizes, grow large ones
 * by 1.25× + 192. Both arguments are byte counts (safe integers ≥ 0); anything
 * else throws BadSizeError.
 */
export function growCapacity(old: number, want: number): number {
  checkSize("growCapacity", old, Number.MAX_SAFE_INTEGER);
  checkSize("growCapacity", want, Number.MAX_SAFE_INTEGER);
  return nextCapacity(old, want);
}

/** {@link growCapacity} without the argument checks (realloc's sizes are checked already). */
function nextCapacity(old: number, want: number): number {
  const double = old * 2;
  if (want > double) return want;
  if (old < 256) return double;
  let n = old;
  while (n < want) n += (n + 3 * 256) / 4;
  return Math.ceil(n);
}

/** Copies n bytes from src to dst (distinct objects), through the checked API across views. */
function memmove(heap: Heap, dst: number, src: number, n: number): void {
  if (n === 0) return;
  if (heap.flatView) {
    heap.v.u8.copyWithin(dst, src, src + n); // one view from address 0 (malloc synced it)
    return;
  }
  const sys = heap.sys;
  const dv = sys.viewOf(dst);
  const sv = sys.viewOf(src);
  if (dv === sv && dv.covers(dst, n) && sv.covers(src, n)) {
    dv.u8.copyWithin(dst - dv.base, src - sv.base, src - sv.base + n);
    return;
  }
  const tmp = new Uint8Array(n);
  sys.readBytes(src, tmp);
  sys.writeBytes(dst, tmp);
}

/** realloc (see {@link Heap.realloc}). */
export function realloc(heap: Heap, p: number, size: number): number {
  checkSize("realloc", size, heap.maxAlloc);
  if (p === 0 || p === heap.zerobase) return heap.malloc(size);
  if (heap.mc === 0) throw new NoProcessorError("realloc");
  const usable = heap.usableSize(p);
  if (size === 0) {
    freeSlow(heap, p);
    return heap.zerobase;
  }
  // p's span class: through free's inline lookup where it applies (usableSize just validated p).
  const spc =
    p < heap.fastEnd ? heap.v.u32[heap.spanWord(p) + F_classWord / 4]! & 0xff : heap.t.spanclass(heap.h.spanOf(p));
  const sc = heap.sizeClasses;
  if (spc === heap.tinySpc) {
    if (size <= usable) return p;
  } else if (spc >>> 1 !== 0) {
    // In place within the class, and when shrinking while the object still fills at least half
    // of its slot (mimalloc's rule): a copy would save less than it costs.
    if (size <= usable && size * 2 >= usable) return p;
    if (size <= sc.maxSmallSize && size >= 16 && heap.spcOfSize[(size + 7) >>> 3] === spc) return p;
  } else if (size > sc.maxSmallSize) {
    const s = heap.h.spanOf(p);
    const t = heap.t;
    const npages = Math.ceil(size / heap.h.geom.pageSize);
    const have = t.npages(s);
    if (npages === have) return p;
    if (npages < have) {
      shrinkLarge(heap, s, npages);
      return p;
    }
    if (growLarge(heap, s, npages)) return p;
  }
  const want = size > usable ? nextCapacity(usable, size) : size;
  // Through malloc's and free's fast paths: p is a live object (usableSize checked it).
  const x = heap.malloc(Math.min(want, heap.maxAlloc));
  memmove(heap, x, p, Math.min(usable, size));
  heap.free(p);
  return x;
}

/** Large realloc shrinking in place: the tail pages go back to the heap (counted as freed large bytes). */
function shrinkLarge(heap: Heap, s: number, npages: number): void {
  const freed = (heap.t.npages(s) - npages) * heap.h.geom.pageSize;
  heap.lockCentral();
  try {
    heap.h.shrinkSpan(s, npages);
  } finally {
    heap.unlockCentral();
  }
  const v = heap.v;
  v.setF64(heap.mc + MC_LARGE_FREE, v.getF64(heap.mc + MC_LARGE_FREE) + freed);
  heap.afterLargeFree();
}

/** Large realloc growing in place when the pages after the object are free (counted as allocated large bytes). */
function growLarge(heap: Heap, s: number, npages: number): boolean {
  const added = (npages - heap.t.npages(s)) * heap.h.geom.pageSize;
  heap.lockCentral();
  try {
    if (!heap.h.growSpan(s, npages)) return false;
  } finally {
    heap.unlockCentral();
  }
  const v = heap.v;
  v.setF64(heap.mc + MC_LARGE_ALLOC, v.getF64(heap.mc + MC_LARGE_ALLOC) + added);
  return true;
}
