/**
 * Go's `mcentral` (mcentral.go, Go 1.15+): the spans of one span class that
 * no mcache holds, in two pairs of span sets — partial (some free object) and
 * full (none) — each split by sweep generation into swept and unswept, the
 * roles of the two sets swapping every time `sweepgen` advances by 2.
 * `cacheSpan` hands an mcache a span with free objects (swept partial spans
 * first, then sweeping unswept partial spans, then unswept full ones, within
 * Go's budget of 100 spans, then a fresh span from the heap); `uncacheSpan`
 * takes one back. gomalloc adds one step Go has no need for: a swept partial
 * span with explicit frees recorded since its sweep is swept again in place
 * before it is handed out (cheap local reuse). The records (spanclass and
 * four sets) live in managed memory. See docs/design.md, "mcentral and span
 * sets".
 */
import { RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import {
  F_allocCacheHi,
  F_allocCacheLo,
  F_freeindex,
  F_sweepgen,
  nextFreeIndex,
  refillAllocCache,
  shr64Hi,
  shr64Lo,
} from "@gomalloc/span";
import { mheapAlloc, sweepOwned, sweepSpan } from "./mgcsweep.js";
import type { MHeap } from "./mheap.js";
import type { PageCache } from "./mpagecache.js";
import { spanSetBytes, spanSetInit, spanSetPop, spanSetPush, spanSetReset } from "./mspanset.js";

/** Bytes of an mcentral record: u32 spanclass, pad, partial[2], full[2]. */
export const mcentralBytes = 8 + 4 * spanSetBytes;
/** Go's spanBudget in cacheSpan: unswept spans examined before growing. */
export const spanBudget = 100;
/** Full swept spans cacheSpan examines for recorded frees before growing (gomalloc's; see cacheSpan). */
export const fullReuseBudget = 16;

/** Creates the mcentral records of every span class (Go's `mcentral.init` for each). */
export function initCentral(h: MHeap): boolean {
  const n = h.sizeClasses.numSpanClasses;
  const a = h.spanAlloc.allocMeta(n * mcentralBytes, 8, SysStat.gcMiscSys);
  if (a === 0) return false;
  for (let spc = 0; spc < n; spc++) {
    const c = a + spc * mcentralBytes;
    h.v.setU32(c, spc);
    for (let k = 0; k < 4; k++) spanSetInit(h, c + 8 + k * spanSetBytes);
  }
  h.setField("central", a);
  return true;
}

/** Address of span class spc's mcentral record. */
export function centralOf(h: MHeap, spc: number): number {
  return h.getField("central") + spc * mcentralBytes;
}

/** Go's `partialSwept(sweepgen)`: partial[sweepgen/2%2]. */
export function partialSwept(h: MHeap, spc: number, sg: number): number {
  return centralOf(h, spc) + 8 + ((sg >>> 1) & 1) * spanSetBytes;
}
/** Go's `partialUnswept(sweepgen)`: partial[1-sweepgen/2%2]. */
export function partialUnswept(h: MHeap, spc: number, sg: number): number {
  return centralOf(h, spc) + 8 + (1 - ((sg >>> 1) & 1)) * spanSetBytes;
}
/** Go's `fullSwept(sweepgen)`: full[sweepgen/2%2]. */
export function fullSwept(h: MHeap, spc: number, sg: number): number {
  return centralOf(h, spc) + 8 + (2 + ((sg >>> 1) & 1)) * spanSetBytes;
}
/** Go's `fullUnswept(sweepgen)`: full[1-sweepgen/2%2]. */
export function fullUnswept(h: MHeap, spc: number, sg: number): number {
  return centralOf(h, spc) + 8 + (3 - ((sg >>> 1) & 1)) * spanSetBytes;
}

/** Go's `sweepLocker.tryAcquire`: takes ownership of an unswept span (sweepgen sg−2 → sg−1). */
export function tryAcquire(h: MHeap, s: number, sg: number): boolean {
  const v = h.v;
  const i = (s - v.base + F_sweepgen) / 4;
  const from = (sg - 2) >>> 0;
  const to = (sg - 1) >>> 0;
  if (v.shared) return Atomics.compareExchange(v.i32, i, from | 0, to | 0) >>> 0 === from;
  if (v.u32[i] !== from) return false;
  v.u32[i] = to;
  return true;
}

/**
 * Go's `mcentral.cacheSpan`: a span of class spc with at least one free
 * object, its allocCache set at freeindex, for an mcache to allocate from;
 * or 0 when the heap cannot provide one (or would have to grow and `mayGrow`
 * is false). `acct` is the array (or 0) where applied frees are counted (see
 * mgcsweep.ts). gomalloc adds one step before growing when `freesPending`
 * (the caller knows frees of this class await sweeping): full swept spans
 * with recorded frees are swept in place and used, up to
 * {@link fullReuseBudget} of them examined — explicit frees make full spans
 * reusable between cycles, which Go's GC-driven sets never need.
 */
export function cacheSpan(
  h: MHeap,
  spc: number,
  pc: PageCache | null,
  mayGrow: boolean,
  acct: number,
  freesPending = false,
): number {
  const t = h.spans;
  const sg = h.sweepgen;
  let s = spanSetPop(h, partialSwept(h, spc, sg));
  if (s !== 0) {
    if (t.freedCount(s) > 0) sweepOwned(h, s, acct);
  } else {
    s = sweepForCache(h, spc, sg, acct);
    if (s === 0 && freesPending) s = reuseFull(h, spc, sg, acct);
    if (s === 0) {
      s = mcentralGrow(h, spc, pc, mayGrow, acct);
      if (s === 0) return 0;
    }
  }
  const nelems = t.nelems(s);
  const freeindex = t.freeindex(s);
  if (nelems - t.allocCount(s) === 0 || freeindex === nelems) throw new RuntimeThrow("span has no free objects");
  const freeByteBase = freeindex - (freeindex % 64);
  refillAllocCache(t, s, freeByteBase / 8);
  const k = freeindex % 64;
  if (k !== 0) {
    const lo = t.getU32(s, F_allocCacheLo);
    const hi = t.getU32(s, F_allocCacheHi);
    t.setU32(s, F_allocCacheLo, shr64Lo(lo, hi, k));
    t.setU32(s, F_allocCacheHi, shr64Hi(hi, k));
  }
  return s;
}

/** cacheSpan's gomalloc step: a full swept span whose recorded frees make room, swept in place. */
function reuseFull(h: MHeap, spc: number, sg: number, acct: number): number {
  const t = h.spans;
  const set = fullSwept(h, spc, sg);
  for (let budget = fullReuseBudget; budget > 0; budget--) {
    const s = spanSetPop(h, set);
    if (s === 0) return 0;
    if (t.freedCount(s) > 0) {
      sweepOwned(h, s, acct);
      if (t.allocCount(s) < t.nelems(s)) return s;
    }
    spanSetPush(h, set, s);
  }
  return 0;
}

/** cacheSpan's sweeping: unswept partial spans, then unswept full ones, within the budget. */
function sweepForCache(h: MHeap, spc: number, sg: number, acct: number): number {
  if (h.sweepDone) return 0;
  const t = h.spans;
  let budget = spanBudget;
  for (; budget >= 0; budget--) {
    const s = spanSetPop(h, partialUnswept(h, spc, sg));
    if (s === 0) break;
    if (tryAcquire(h, s, sg)) {
      sweepSpan(h, s, true, acct);
      return s;
    }
  }
  for (; budget >= 0; budget--) {
    const s = spanSetPop(h, fullUnswept(h, spc, sg));
    if (s === 0) break;
    if (tryAcquire(h, s, sg)) {
      sweepSpan(h, s, true, acct);
      const freeIndex = nextFreeIndex(t, s);
      if (freeIndex !== t.nelems(s)) {
        t.setU32(s, F_freeindex, freeIndex);
        return s;
      }
      spanSetPush(h, fullSwept(h, spc, sg), s);
    }
  }
  return 0;
}

/**
 * Go's `mcentral.uncacheSpan`: takes back a span an mcache held. A span
 * cached before the current cycle began (sweepgen sg+1) is swept now;
 * otherwise it goes to the partial or full swept set.
 */
export function uncacheSpan(h: MHeap, spc: number, s: number, acct: number): void {
  const t = h.spans;
  const sg = h.sweepgen;
  const stale = t.sweepgen(s) === (sg + 1) >>> 0;
  if (stale) {
    t.setSweepgen(s, (sg - 1) >>> 0);
    sweepSpan(h, s, false, acct);
    return;
  }
  t.setSweepgen(s, sg);
  if (t.nelems(s) - t.allocCount(s) > 0) spanSetPush(h, partialSwept(h, spc, sg), s);
  else spanSetPush(h, fullSwept(h, spc, sg), s);
}

/** Go's `mcentral.grow`: a fresh span of class spc from the heap, or 0. */
export function mcentralGrow(h: MHeap, spc: number, pc: PageCache | null, mayGrow: boolean, acct: number): number {
  return mheapAlloc(h, h.classNPages(spc), spc, pc, mayGrow, acct);
}

/** Resets the unswept sets of every class (Go's finishsweep_m, once sweeping is done). */
export function resetUnswept(h: MHeap): void {
  const sg = h.sweepgen;
  for (let spc = 0; spc < h.sizeClasses.numSpanClasses; spc++) {
    spanSetReset(h, partialUnswept(h, spc, sg));
    spanSetReset(h, fullUnswept(h, spc, sg));
  }
}
