/**
 * The per-P cache (Go's mcache.go): one mcache record per P in managed
 * memory holding the span it allocates from for every span class
 * (`alloc[numSpanClasses]`, the empty span when none), the tiny block, the
 * profiling countdown `nextSample`, and the P's statistics (Go keeps those in
 * per-P `heapStats`; here they live beside the cache and are summed by
 * readMemStats). `refill` swaps a full span for one with free objects —
 * first sweeping the full span in place if frees were recorded in it (cheap
 * local reuse), else giving it back to its mcentral (with several Ps on
 * shared memory: keeping it one refill longer as `prev[spc]`, see
 * {@link keepPrev}) — and is where the free
 * cycle's policy runs: start a cycle when the bytes freed but not swept pass
 * the GOGC-like trigger, and before the heap would grow. `allocLarge` takes
 * spans straight from the heap; `releaseAll` and `prepareForSweep` flush the
 * cache as Go does when a cycle starts or a P goes away. See
 * docs/design.md, "Ps and mcaches" and "Free cycles".
 */
import {
  cacheSpan,
  finishSweep,
  freeCycleTrigger,
  mheapAlloc,
  startFreeCycle,
  sweepOwned,
  uncacheSpan,
} from "@gomalloc/mheap";
import { RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import type { SizeClasses } from "@gomalloc/sizeclass";
import {
  F_allocCacheHi,
  F_allocCacheLo,
  F_allocCount,
  F_cachedBy,
  F_classWord,
  F_elemsize,
  F_freed,
  F_freeindex,
  F_needzero,
  F_startAddr,
  mSpanInUse,
} from "@gomalloc/span";
import type { Heap } from "./heap.js";
import { pMCache, pRunning, pStatus } from "./proc.js";
import { releaseTinyBlock } from "./tiny.js";

/** f64: bytes left before the next profiling sample (Go's `nextSample`). */
export const MC_NEXT_SAMPLE = 0;
/** f64: the MemProfileRate the cache last saw (Go's `memProfRate`). */
export const MC_MEM_PROF_RATE = 8;
/** f64: the current tiny block (Go's `tiny`), 0 = none. */
export const MC_TINY = 16;
/** f64: tiny allocations combined into existing blocks since the last flush (Go's `tinyAllocs`). */
export const MC_TINY_ALLOCS = 24;
/** u32: bytes of the tiny block in use (Go's `tinyoffset`). */
export const MC_TINY_OFFSET = 32;
/** u32: the sweepgen the cache was last flushed at (Go's `flushGen`). */
export const MC_FLUSH_GEN = 36;
/** f64 statistics (Go's per-P heapStats): large bytes/objects allocated and freed, tiny allocations flushed. */
export const MC_LARGE_ALLOC = 40;
export const MC_LARGE_ALLOC_COUNT = 48;
export const MC_LARGE_FREE = 56;
export const MC_LARGE_FREE_COUNT = 64;
export const MC_TINY_ALLOC_COUNT = 72;
/** u32: index in the heap's view of the current tiny block's side word A (0 = no block); see tiny.ts. */
export const MC_TINY_SIDE = 80;
/** f64[numSpanClasses]: Go's `alloc`. */
export const MC_ALLOC = 88;

/**
 * Entries of the per-class reuse stack. gomalloc's form of Go 1.26's freegc
 * reuse list (`mcache.reusableNoscan`): a small object freed through this P
 * is recorded in its span's freed bitmap as always, and also pushed here as
 * (span word index, object index, index of the freed word it set — the
 * span's local word or the remote one beside it); malloc pops an entry and
 * takes the object back by clearing that bit — so nothing is lost if a sweep
 * got to it first (the entry is then skipped). Entries live in managed
 * memory beside the mcache, never in the freed objects themselves.
 *
 * With several Ps a local bit is taken back only while this P still owns the
 * span (plain stores); a remote entry may name a span another P caches or
 * mcentral holds, which may meanwhile be swept, freed to the heap and its
 * record or bitmaps reused; see {@link takeBack} for why its claim stays safe.
 */
export const reuseEntries = 32;
/**
 * The reuse stack of tiny blocks. Size class 0 is large objects, which have
 * no stack, so its slot holds the 16-byte blocks of the tiny allocator
 * (span class `tinyBlockSpanClass`, tiny.ts) whose last object was freed; class
 * 2's own stack holds ordinary 16-byte objects, so neither kind pushes
 * entries the other must skip. Their counts stay class 2's.
 */
export const tinyReuseStack = 0;
/**
 * u32 words per size class in the reuse area: count, the claim word (2 while
 * a popped entry's bit is held uncounted, else 0; for `reclaimP`), then (span
 * word index, object index, freed word index) triples.
 */
export const reuseStride = 2 + 3 * reuseEntries;

/** The offsets of an mcache record for a size-class table. */
export class MCacheLayout {
  /** u32[numSpanClasses]: Go's `mspan.allocCountBeforeCache`, kept per cached span. */
  readonly acbc: number;
  /** u32[numSpanClasses]: `alloc[spc]` as a u32 word index in the heap's view (the malloc fast path's form). */
  readonly allocW: number;
  /** f64[numSizeClasses]: objects allocated per size class (flushed at refill). */
  readonly smallAllocCount: number;
  /** f64[numSizeClasses]: objects freed per size class (counted at free). */
  readonly smallFreeCount: number;
  /** f64[numSizeClasses]: frees of each class this P's sweeps applied. */
  readonly sweptCount: number;
  /**
   * f64[numSizeClasses]: objects this P took back from its reuse stack — each
   * both an allocation and a free no sweep will apply (frees − swept − reused
   * = awaiting a sweep).
   */
  readonly reuseCount: number;
  /** f64: address of the reuse area (u32[numSizeClasses × reuseStride]). */
  readonly reuse: number;
  /**
   * f64[numSpanClasses]: the span `alloc[spc]` held before its last refill,
   * still owned by this P (the empty span when none); only on heaps with
   * several Ps over shared memory. See {@link refill}.
   */
  readonly prev: number;
  /** Bytes of the record. */
  readonly bytes: number;
  constructor(sc: SizeClasses) {
    this.acbc = MC_ALLOC + 8 * sc.numSpanClasses;
    this.allocW = this.acbc + Math.ceil((4 * sc.numSpanClasses) / 8) * 8;
    this.smallAllocCount = this.allocW + Math.ceil((4 * sc.numSpanClasses) / 8) * 8;
    this.smallFreeCount = this.smallAllocCount + 8 * sc.numSizeClasses;
    this.sweptCount = this.smallFreeCount + 8 * sc.numSizeClasses;
    this.reuseCount = this.sweptCount + 8 * sc.numSizeClasses;
    this.reuse = this.reuseCount + 8 * sc.numSizeClasses;
    this.prev = this.reuse + 8;
    this.bytes = this.prev + 8 * sc.numSpanClasses;
  }
}

/**
 * Sets `alloc[spc]` (the f64 address and the u32 word index the fast path
 * reads) and the spans' owner field (F_cachedBy): the span let go of has no
 * owner, the new one is this handle's P's. With several Ps the caller holds
 * the mcentral lock.
 */
export function setAlloc(heap: Heap, mc: number, spc: number, s: number): void {
  const v = heap.v;
  const old = v.getF64(mc + MC_ALLOC + 8 * spc);
  if (old !== 0 && old !== heap.emptymspan) v.setU32(old + F_cachedBy, 0);
  if (s !== heap.emptymspan) v.setU32(s + F_cachedBy, heap.p + 1);
  setAllocSlot(heap, mc, spc, s);
}

/** Writes `alloc[spc]` (the f64 address and the fast path's u32 word index), owners untouched. */
function setAllocSlot(heap: Heap, mc: number, spc: number, s: number): void {
  const v = heap.v;
  v.setF64(mc + MC_ALLOC + 8 * spc, s);
  v.setU32(mc + heap.layout.allocW + 4 * spc, (s - v.base) / 4);
}

/** Gives the span q, this P's `prev[spc]` until now, back to its mcentral: no owner, then uncacheSpan. */
function releasePrev(heap: Heap, spc: number, q: number): void {
  heap.v.setU32(q + F_cachedBy, 0);
  uncacheSpan(heap.h, spc, q, acctOf(heap));
}

/**
 * Go's `allocmcache`: empty spans everywhere, flushed at the current
 * sweepgen, a first sample distance, an empty reuse area. False if no
 * memory is left for the reuse area.
 */
export function initMCache(heap: Heap, mc: number): boolean {
  const v = heap.v;
  const area = heap.h.spanAlloc.allocMeta(4 * reuseStride * heap.sizeClasses.numSizeClasses, 8, SysStat.mcache_sys);
  if (area === 0) return false;
  v.u8.fill(0, mc - v.base, mc - v.base + heap.layout.bytes);
  v.setF64(mc + heap.layout.reuse, area);
  for (let i = 0; i < heap.sizeClasses.numSpanClasses; i++) {
    setAlloc(heap, mc, i, heap.emptymspan);
    v.setF64(mc + heap.layout.prev + 8 * i, heap.emptymspan);
  }
  v.setU32(mc + MC_FLUSH_GEN, heap.h.sweepgen);
  v.setF64(mc + MC_NEXT_SAMPLE, heap.profiler.nextSample());
  v.setF64(mc + MC_MEM_PROF_RATE, heap.profiler.MemProfileRate);
  return true;
}

/** u32 index of reuse stack c (a size class, or {@link tinyReuseStack}) for the handle's P. */
function reuseBase(heap: Heap, c: number): number {
  return heap.reuseU + c * reuseStride;
}

/** The reuse stack of span class spc: its size class, or {@link tinyReuseStack} for tiny blocks. */
export function reuseStackOf(heap: Heap, spc: number): number {
  return spc === heap.tinySpc ? tinyReuseStack : spc >>> 1;
}

/**
 * Pushes object `idx` of the span at word index `sw` on reuse stack c (see
 * {@link reuseStackOf}), if it has room; `fb` is the freed word its free set (local or
 * remote). The caller has just freed the object, so the span and its freed
 * bitmap are the object's (an allocated object keeps its span).
 */
export function reusePush(heap: Heap, c: number, sw: number, idx: number, fb: number): void {
  const u = heap.v.u32;
  const rb = reuseBase(heap, c);
  const n = u[rb]!;
  if (n < reuseEntries) {
    const e = rb + 2 + 3 * n;
    u[e] = sw;
    u[e + 1] = idx;
    u[e + 2] = fb;
    u[rb] = n + 1;
  }
}

/**
 * The slow paths' push of object idx of span s, just freed by the span
 * layer's free (remotely with several Ps, so into the remote word): on reuse
 * stack c, unless s is another P's span (current or previous), whose owner gets the object
 * back at its sweep (the inline free applies the same rule; docs/design.md,
 * "Reuse stacks with several Ps").
 */
export function reusePushFreed(heap: Heap, c: number, s: number, idx: number): void {
  const v = heap.v;
  const cb = v.getU32(s + F_cachedBy);
  if (cb !== 0 && cb !== heap.pOwn) return;
  const fb = v.getU32(s + F_freed) + 2 * (idx >>> 5) + (heap.atomic ? 1 : 0);
  reusePush(heap, c, (s - v.base) / 4, idx, fb);
}

/**
 * Pops span class spc's reuse stack until an entry's object is still freed
 * and unswept, takes it back (clearing its freed bit) and returns its
 * address; 0 when the stack holds none. Counts the allocation and, as a
 * swept free, the free it undoes.
 */
export function reusePop(heap: Heap, spc: number): number {
  const u = heap.v.u32;
  const rb = reuseBase(heap, reuseStackOf(heap, spc));
  let n = u[rb]!;
  while (n > 0) {
    n--;
    u[rb] = n;
    const e = rb + 2 + 3 * n;
    const x = takeBack(heap, spc, u[e]!, u[e + 1]!, u[e + 2]!, rb);
    if (x !== 0) return x;
  }
  return 0;
}

/**
 * Takes back object idx of the span at word index sw, whose freed bit was in
 * word fb when it was pushed, if it is still a freed, unswept object of class
 * spc; returns its address or 0. `rb` is the class's reuse stack.
 *
 * A local bit (fb is the span's local word for idx) is cleared with a plain
 * store, and with several Ps only while this P owns the span (F_cachedBy):
 * no one else writes local words then. A remote bit is claimed atomically:
 * with several Ps the span may be swept, freed and its record and bitmap
 * block reused by other Ps while this runs. The claim stays safe because
 * (1) a bitmap block's remote freed words are only ever remote freed words
 * (the block pools are type-stable and keep their layout), so the atomic
 * clear of fb lands in some span's remote bitmap; (2) a span whose freed bit
 * this clear took cannot be freed any more (the object stays allocated), so
 * if afterwards sw is still an in-use span of class spc whose remote word for
 * idx is fb, the bit was sw's and the object is ours; (3) otherwise the bit
 * belonged to some other live span and is put back. While the bit is held and not yet
 * checked, the stack's claim word is 2, so that `reclaimP` puts the bit back
 * if the worker dies there (the popped entry stays just above the stack's
 * count). Between the atomic clear and the claim word, and between the
 * check and clearing the word, there are only
 * plain stores, where a terminated worker cannot stop (V8 stops a thread
 * at calls and loop back-edges).
 */
export function takeBack(heap: Heap, spc: number, sw: number, idx: number, fb: number, rb: number): number {
  const v = heap.v;
  const u = v.u32;
  const want = (mSpanInUse << 8) | spc;
  const W_class = F_classWord / 4;
  if ((u[sw + W_class]! & 0xffff) !== want) return 0;
  const lw = u[sw + F_freed / 4]! + 2 * (idx >>> 5);
  const mask = 1 << (idx & 31);
  if (fb === lw) {
    if (heap.atomic && u[sw + F_cachedBy / 4] !== heap.p + 1) return 0; // not this P's span now
    const old = u[fb]!;
    if ((old & mask) === 0) return 0;
    u[fb] = old & ~mask;
  } else if (fb === lw + 1 && v.shared) {
    if (!(fb < u.length) || (Atomics.and(v.i32, fb, ~mask) & mask) === 0) return 0;
    // The bit is held and not yet checked: reclaimP puts it back if this worker dies here.
    u[rb + 1] = 2;
    const own = (u[sw + W_class]! & 0xffff) === want && u[sw + F_freed / 4]! + 2 * (idx >>> 5) + 1 === fb;
    if (!own) Atomics.or(v.i32, fb, mask);
    u[rb + 1] = 0;
    if (!own) return 0;
  } else if (fb === lw + 1) {
    const old = u[fb]!;
    if ((old & mask) === 0) return 0;
    u[fb] = old & ~mask;
  } else return 0;
  // A freed object is dirty: its span needs zeroing from now on (as heap.ts's inline take-back).
  if (u[sw + W_class]! >>> 24 === 0) v.u8[sw * 4 + F_needzero] = 1; // (the class word's top byte)
  const d = sw >> 1;
  const f = v.f64;
  const es = f[d + F_elemsize / 8]!;
  const mc = heap.mc;
  const L = heap.layout;
  const c = spc >>> 1;
  v.setF64(mc + L.reuseCount + 8 * c, v.getF64(mc + L.reuseCount + 8 * c) + 1);
  return f[d + F_startAddr / 8]! + idx * es;
}

/** Empties every reuse stack (Go clears reusableNoscan in releaseAll); the objects stay freed for sweeping. */
function clearReuse(heap: Heap): void {
  const u = heap.v.u32;
  for (let c = 0; c < heap.sizeClasses.numSizeClasses; c++) {
    u[reuseBase(heap, c)] = 0;
    u[reuseBase(heap, c) + 1] = 0;
  }
}

/** Adds the objects allocated from span s since it was cached to the P's statistics (part of Go's refill). */
function flushSlots(heap: Heap, spc: number, s: number): void {
  const v = heap.v;
  const mc = heap.mc;
  const t = heap.t;
  const acbc = mc + heap.layout.acbc + 4 * spc;
  const used = t.allocCount(s) - v.getU32(acbc);
  const at = mc + heap.layout.smallAllocCount + 8 * (spc >>> 1);
  v.setF64(at, v.getF64(at) + used);
  v.setU32(acbc, t.allocCount(s));
  if (spc === heap.tinySpc) flushTinyAllocs(heap);
}

/** Moves the tiny allocations counted in the cache to the P's statistics. */
function flushTinyAllocs(heap: Heap): void {
  const v = heap.v;
  const mc = heap.mc;
  v.setF64(mc + MC_TINY_ALLOC_COUNT, v.getF64(mc + MC_TINY_ALLOC_COUNT) + v.getF64(mc + MC_TINY_ALLOCS));
  v.setF64(mc + MC_TINY_ALLOCS, 0);
}

/** Objects of size class c freed through any P and not yet swept. */
export function classPending(heap: Heap, c: number): number {
  const v = heap.v;
  const L = heap.layout;
  let n = 0;
  for (let i = 0; i < heap.numPs; i++) {
    const mc = pMCache(v, heap.ptable, i);
    n +=
      v.getF64(mc + L.smallFreeCount + 8 * c) -
      v.getF64(mc + L.sweptCount + 8 * c) -
      v.getF64(mc + L.reuseCount + 8 * c);
  }
  return n;
}

/** Bytes freed through every P and not yet swept (or taken back). */
export function pendingFreeBytes(heap: Heap): number {
  const sc = heap.sizeClasses;
  const v = heap.v;
  const f = v.f64;
  const L = heap.layout;
  let n = 0;
  for (let i = 0; i < heap.numPs; i++) {
    const d = (pMCache(v, heap.ptable, i) - v.base) / 8;
    const fr = d + L.smallFreeCount / 8;
    const sw = d + L.sweptCount / 8;
    const ru = d + L.reuseCount / 8;
    for (let c = 1; c < sc.numSizeClasses; c++) n += (f[fr + c]! - f[sw + c]! - f[ru + c]!) * sc.class_to_size[c]!;
  }
  return n;
}

/** Where this P's sweeps count the frees they apply (mheap's `acct`). */
export function acctOf(heap: Heap): number {
  return heap.mc + heap.layout.sweptCount;
}

/** Live heap bytes as of the P statistics (objects in cached spans not yet flushed are left out). */
export function heapAllocApprox(heap: Heap): number {
  const v = heap.v;
  const f = v.f64;
  const sc = heap.sizeClasses;
  const L = heap.layout;
  let n = 0;
  for (let i = 0; i < heap.numPs; i++) {
    const mc = pMCache(v, heap.ptable, i);
    n += v.getF64(mc + MC_LARGE_ALLOC) - v.getF64(mc + MC_LARGE_FREE);
    const d = (mc - v.base) / 8;
    const al = d + L.smallAllocCount / 8;
    const ru = d + L.reuseCount / 8;
    const fr = d + L.smallFreeCount / 8;
    for (let c = 1; c < sc.numSizeClasses; c++) n += (f[al + c]! + f[ru + c]! - f[fr + c]!) * sc.class_to_size[c]!;
  }
  return n;
}

/**
 * Whether every P in use has flushed its mcache at the current sweepgen (a
 * new cycle may start). A P holding no span and no tiny block (a worker
 * that only frees, say) is flushed on its behalf: there is nothing to flush,
 * and its cache changes only under the mcentral lock, which the caller holds.
 */
function allPsFlushed(heap: Heap): boolean {
  const v = heap.v;
  const sg = heap.h.sweepgen;
  for (let i = 0; i < heap.numPs; i++) {
    if (i === heap.p || pStatus(v, heap.ptable, i) !== pRunning) continue;
    const mc = pMCache(v, heap.ptable, i);
    if (v.getU32(mc + MC_FLUSH_GEN) === sg) continue;
    if (!cacheEmpty(heap, mc)) return false;
    v.setU32(mc + MC_FLUSH_GEN, sg);
  }
  return true;
}

/** Whether the mcache at mc holds no span and no tiny block. */
function cacheEmpty(heap: Heap, mc: number): boolean {
  const v = heap.v;
  if (v.getF64(mc + MC_TINY) !== 0) return false;
  for (let spc = 0; spc < heap.sizeClasses.numSpanClasses; spc++) {
    if (v.getF64(mc + MC_ALLOC + 8 * spc) !== heap.emptymspan) return false;
    if (v.getF64(mc + heap.layout.prev + 8 * spc) !== heap.emptymspan) return false;
  }
  return true;
}

/**
 * Starts a free cycle (and flushes this P's cache, as Go's mark termination
 * flushes every mcache) if the previous one's caches are all flushed.
 * Returns whether it did.
 */
export function startCycle(heap: Heap): boolean {
  prepareForSweep(heap); // this P too: another P may have started the current cycle
  if (!allPsFlushed(heap)) return false;
  startFreeCycle(heap.h, acctOf(heap));
  prepareForSweep(heap);
  return true;
}

/** The GOGC analogue, checked on the slow paths: start a cycle when enough has been freed. */
function checkCycleTrigger(heap: Heap): void {
  const gcPercent = heap.h.getField("gcPercent");
  if (gcPercent < 0) return;
  const pending = pendingFreeBytes(heap);
  if (pending < freeCycleTrigger(0, gcPercent) || pending === 0 || !heap.h.sweepDone) return;
  if (pending >= freeCycleTrigger(heapAllocApprox(heap), gcPercent)) startCycle(heap);
}

/**
 * Before the heap grows for npages pages: if frees that sweeping could turn
 * into that much memory are pending, start a cycle (unless one is running)
 * and finish its sweeping, so memory is reused before the heap grows.
 * Returns whether anything was swept.
 */
function sweepBeforeGrow(heap: Heap, npages: number): boolean {
  const h = heap.h;
  const acct = acctOf(heap);
  if (!h.sweepDone) {
    finishSweep(h, acct);
    return true;
  }
  if (pendingFreeBytes(heap) < npages * h.geom.pageSize) return false;
  if (!startCycle(heap)) return false;
  finishSweep(h, acct);
  return true;
}

/** Go's `mcache.prepareForSweep`: flushes the cache once per cycle. */
export function prepareForSweep(heap: Heap): void {
  const v = heap.v;
  const sg = heap.h.sweepgen;
  const fg = v.getU32(heap.mc + MC_FLUSH_GEN);
  if (fg === sg) return;
  if (fg !== (sg - 2) >>> 0) throw new RuntimeThrow("bad flushGen");
  releaseAll(heap);
  v.setU32(heap.mc + MC_FLUSH_GEN, sg);
}

/** Go's `mcache.releaseAll`: every cached span back to its mcentral, the tiny block released, stats flushed. */
export function releaseAll(heap: Heap): void {
  const v = heap.v;
  const mc = heap.mc;
  releaseTinyBlock(heap);
  clearReuse(heap);
  for (let spc = 0; spc < heap.sizeClasses.numSpanClasses; spc++) {
    const q = v.getF64(mc + heap.layout.prev + 8 * spc);
    if (q !== heap.emptymspan) {
      v.setF64(mc + heap.layout.prev + 8 * spc, heap.emptymspan);
      releasePrev(heap, spc, q);
    }
    const s = v.getF64(mc + MC_ALLOC + 8 * spc);
    if (s === heap.emptymspan) continue;
    flushSlots(heap, spc, s);
    setAlloc(heap, mc, spc, heap.emptymspan);
    uncacheSpan(heap.h, spc, s, acctOf(heap));
  }
  flushTinyAllocs(heap);
}

/**
 * Go's `mcache.refill`: makes `alloc[spc]` a span with a free object and
 * returns it, or returns 0 when no memory can be had (nothing changes then
 * but the cycle state). Runs the free-cycle policy first.
 */
export function refill(heap: Heap, spc: number): number {
  heap.lockCentral();
  try {
    return refillLocked(heap, spc);
  } finally {
    heap.unlockCentral();
  }
}

/** {@link refill} under the mcentral lock. */
function refillLocked(heap: Heap, spc: number): number {
  const h = heap.h;
  const t = heap.t;
  const v = heap.v;
  const mc = heap.mc;
  const acct = acctOf(heap);
  checkCycleTrigger(heap);
  prepareForSweep(heap);
  let s = v.getF64(mc + MC_ALLOC + 8 * spc);
  if (s !== heap.emptymspan) {
    if (t.allocCount(s) !== t.nelems(s)) throw new RuntimeThrow("refill of span with free space remaining");
    if (t.freedCount(s) > 0) {
      // Sweep in place: frees recorded in the span make room without a trip to mcentral.
      flushSlots(heap, spc, s);
      sweepOwned(h, s, acct);
      v.setU32(mc + heap.layout.acbc + 4 * spc, t.allocCount(s));
      if (t.allocCount(s) < t.nelems(s)) return s;
    }
    if (t.sweepgen(s) !== (h.sweepgen + 3) >>> 0) throw new RuntimeThrow("bad sweepgen in refill");
    flushSlots(heap, spc, s);
    if (heap.atomic) {
      const q = keepPrev(heap, spc, s);
      if (q !== 0) return q;
    } else {
      setAlloc(heap, mc, spc, heap.emptymspan);
      uncacheSpan(h, spc, s, acct);
    }
  }
  const pending = classPending(heap, spc >>> 1) > 0;
  s = cacheSpan(h, spc, heap.pc, false, acct, pending);
  if (s === 0 && sweepBeforeGrow(heap, h.classNPages(spc))) s = cacheSpan(h, spc, heap.pc, false, acct);
  if (s === 0) s = cacheSpan(h, spc, heap.pc, true, acct);
  heap.scavengeAfterCycle();
  if (s === 0) return 0;
  if (t.allocCount(s) === t.nelems(s)) throw new RuntimeThrow("span has no free space");
  t.setSweepgen(s, (h.sweepgen + 3) >>> 0);
  v.setU32(mc + heap.layout.acbc + 4 * spc, t.allocCount(s));
  setAlloc(heap, mc, spc, s);
  return s;
}

/**
 * refill's step for a full span s with several Ps: s stays this P's, as
 * `prev[spc]`, instead of going back to mcentral at once (gomalloc's
 * addition to Go's one span per class). Objects freed soon after their span
 * filled — most of them, under steady churn — are then freed and taken back
 * by their span's owner with plain stores; in a span nobody caches, each
 * costs an atomic OR and an atomic AND (bench:workers, one worker on a 2-P
 * heap: 23 % of frees went remote, none now; +12 % ops/s). If at least half
 * of the previous span's objects are freed, it is swept in place and
 * becomes `alloc[spc]` again (returned, s taking its place); else it goes
 * back to mcentral with its frees unswept, as a flush lets spans go (at a
 * lower threshold a producer whose consumer is still freeing into that span
 * refills for a few objects at a time: on the producer/consumer bench a
 * quarter cost 9 %, any freed object 17 %). Returns that span, or 0 with `alloc[spc]`
 * empty and s kept as `prev[spc]`. Both spans stay cached (sweepgen sg+3,
 * owner this P); s's allocations are already flushed.
 */
function keepPrev(heap: Heap, spc: number, s: number): number {
  const v = heap.v;
  const t = heap.t;
  const mc = heap.mc;
  const at = mc + heap.layout.prev + 8 * spc;
  const q = v.getF64(at);
  v.setF64(at, s); // s keeps its owner: no free in it goes remote meanwhile
  if (q !== heap.emptymspan) {
    const n = t.nelems(q);
    if (2 * t.freedCount(q) >= n && sweepOwned(heap.h, q, acctOf(heap)) > 0 && t.allocCount(q) < n) {
      setAllocSlot(heap, mc, spc, q);
      v.setU32(mc + heap.layout.acbc + 4 * spc, t.allocCount(q));
      return q;
    }
    releasePrev(heap, spc, q);
  }
  setAllocSlot(heap, mc, spc, heap.emptymspan);
  return 0;
}

/**
 * Go's `mcache.allocLarge`: a span of ⌈size / pageSize⌉ pages of class 0
 * (noscan) straight from the heap, its one object allocated; or 0 when no
 * memory can be had. The caller has checked `size` (Go's page-count
 * overflow check included).
 */
export function allocLarge(heap: Heap, size: number): number {
  heap.lockCentral();
  try {
    return allocLargeLocked(heap, size);
  } finally {
    heap.unlockCentral();
  }
}

/** {@link allocLarge} under the mcentral lock. */
function allocLargeLocked(heap: Heap, size: number): number {
  const h = heap.h;
  const v = heap.v;
  const mc = heap.mc;
  const acct = acctOf(heap);
  const pageSize = h.geom.pageSize;
  const npages = Math.ceil(size / pageSize);
  // Go checks its GC trigger on every large allocation against one counter
  // (heapLive); here the check sums per-class counters, so large allocations
  // look every 8th time (refills look every time, and growth always sweeps first).
  if ((++heap.largeAllocs & 7) === 0) checkCycleTrigger(heap);
  prepareForSweep(heap);
  const spc = 1; // makeSpanClass(0, noscan)
  let s = mheapAlloc(h, npages, spc, heap.pc, false, acct);
  if (s === 0 && sweepBeforeGrow(heap, npages)) s = mheapAlloc(h, npages, spc, heap.pc, false, acct);
  if (s === 0) s = mheapAlloc(h, npages, spc, heap.pc, true, acct);
  heap.scavengeAfterCycle();
  if (s === 0) return 0;
  const t = heap.t;
  t.setU32(s, F_freeindex, 1);
  t.setU32(s, F_allocCount, 1);
  t.setU32(s, F_allocCacheLo, 0); // the one object is taken
  t.setU32(s, F_allocCacheHi, 0);
  v.setF64(mc + MC_LARGE_ALLOC, v.getF64(mc + MC_LARGE_ALLOC) + npages * pageSize);
  v.setF64(mc + MC_LARGE_ALLOC_COUNT, v.getF64(mc + MC_LARGE_ALLOC_COUNT) + 1);
  return s;
}
