/**
 * The heap-level sweeper (Go's mgcsweep.go) and gomalloc's free cycles.
 * Explicit `free` only records an object in its span's freed bitmap (design
 * decision 5); sweeping applies those records the way Go's sweep applies mark
 * bits. Spans are swept by their owner: an mcache sweeps its current span in
 * place, `cacheSpan` sweeps what it pops, and this sweeper (`sweepone`) sweeps
 * the spans of the mcentral sets once per **free cycle** — Go's GC cycle
 * without marking: `sweepgen += 2` makes every span in the sets unswept, and
 * each is swept once, returning empty spans to the page heap and the rest to
 * the swept sets. Sweeping is lazy and proportional as in Go: allocation
 * sweeps what it needs (`reclaim` before taking pages, cacheSpan per class)
 * and whoever must grow the heap finishes the cycle first. When a cycle
 * starts is the caller's policy; {@link freeCycleTrigger} is gomalloc's GOGC
 * analogue. Every sweep reports the frees it applied by adding them, per size
 * class, to an f64 array (`acct`, the address of entry 0 in the heap's view,
 * 0 for none): the runtime keeps one per P, so that frees counted minus frees
 * swept is what is freed but not yet reusable.
 * See docs/design.md, "Free cycles".
 */
import { RuntimeThrow } from "@gomalloc/os-mem";
import { F_needzero, mSpanInUse, sweep } from "@gomalloc/span";
import { fullSwept, fullUnswept, partialSwept, partialUnswept, resetUnswept, tryAcquire } from "./mcentral.js";
import type { MHeap } from "./mheap.js";
import type { PageCache } from "./mpagecache.js";
import { spanSetPop, spanSetPush } from "./mspanset.js";

/** Go's `defaultHeapMinimum` (4 MiB at GOGC=100): the smallest free-cycle trigger. */
export const heapMinimum = 4 << 20;

/**
 * gomalloc's GOGC analogue: the bytes freed but not yet swept at which a new
 * free cycle should start — `gcPercent`% of the live heap, at least
 * `heapMinimum · gcPercent/100`, as Go sizes its heap goal. Infinity when
 * `gcPercent` is negative (off: cycles then start only before the heap grows).
 */
export function freeCycleTrigger(heapAlloc: number, gcPercent: number): number {
  if (gcPercent < 0) return Number.POSITIVE_INFINITY;
  return Math.max((heapAlloc * gcPercent) / 100, (heapMinimum * gcPercent) / 100);
}

/** Adds `n` swept frees of size class `sizeclass` to the array at `acct` (0 = none). */
function account(h: MHeap, acct: number, sizeclass: number, n: number): void {
  if (acct !== 0 && n !== 0) h.v.setF64(acct + 8 * sizeclass, h.v.getF64(acct + 8 * sizeclass) + n);
}

/**
 * Applies the frees recorded in span s, which the caller owns (an mcache's
 * current span, or one just popped from a set): the span package's sweep
 * plus Go's `needzero = 1` when objects were freed. Returns the number of
 * objects freed. The sweep generation is not touched.
 */
export function sweepOwned(h: MHeap, s: number, acct: number): number {
  const t = h.spans;
  if (t.freedCount(s) === 0) return 0;
  const before = t.allocCount(s);
  sweep(t, s);
  const taken = before - t.allocCount(s);
  if (taken > 0) {
    t.setU8(s, F_needzero, 1);
    account(h, acct, t.spanclass(s) >>> 1, taken);
  }
  return taken;
}

/**
 * Go's `sweepLocked.sweep`: sweeps span s, whose sweepgen the caller moved to
 * sg−1. With `preserve` the span stays with the caller (cacheSpan); otherwise
 * an empty span goes back to the heap and the rest to the swept sets.
 * Returns true if the span was freed to the heap.
 */
export function sweepSpan(h: MHeap, s: number, preserve: boolean, acct: number): boolean {
  const t = h.spans;
  const sg = h.sweepgen;
  if (t.state(s) !== mSpanInUse || t.sweepgen(s) !== (sg - 1) >>> 0) {
    throw new RuntimeThrow("mspan.sweep: bad span state");
  }
  sweepOwned(h, s, acct);
  const spc = t.spanclass(s);
  const nalloc = t.allocCount(s);
  t.setSweepgen(s, sg);
  if (preserve) return false;
  if (nalloc === 0) {
    h.freeSpan(s);
    return true;
  }
  if (nalloc === t.nelems(s)) spanSetPush(h, fullSwept(h, spc, sg), s);
  else spanSetPush(h, partialSwept(h, spc, sg), s);
  return false;
}

/** Go's `mheap.nextSpanForSweep`: pops an unswept span, class by class (partial, then full), or 0. */
export function nextSpanForSweep(h: MHeap): number {
  const sg = h.sweepgen;
  const n = 2 * h.sizeClasses.numSpanClasses;
  for (let sc = h.sweepCentralIndex; sc < n; sc++) {
    const spc = sc >>> 1;
    const s = (sc & 1) === 0 ? spanSetPop(h, partialUnswept(h, spc, sg)) : spanSetPop(h, fullUnswept(h, spc, sg));
    if (s !== 0) {
      h.sweepCentralIndex = sc;
      return s;
    }
  }
  h.sweepCentralIndex = n;
  return 0;
}

/**
 * Go's `sweepone`: sweeps one unswept span. Returns the pages it returned to
 * the heap (0 if it kept the span), or -1 when nothing is left to sweep —
 * the cycle's sweeping is then done.
 */
export function sweepone(h: MHeap, acct: number): number {
  const t = h.spans;
  const sg = h.sweepgen;
  for (;;) {
    const s = nextSpanForSweep(h);
    if (s === 0) {
      h.sweepDone = true;
      return -1;
    }
    if (t.state(s) !== mSpanInUse) {
      const g = t.sweepgen(s);
      if (!(g === sg || g === (sg + 3) >>> 0)) throw new RuntimeThrow("non in-use span in unswept list");
      continue;
    }
    if (tryAcquire(h, s, sg)) {
      const npages = t.npages(s);
      return sweepSpan(h, s, false, acct) ? npages : 0;
    }
  }
}

/** Go's `isSweepDone`. */
export function isSweepDone(h: MHeap): boolean {
  return h.sweepDone;
}

/**
 * Go's `mheap.reclaim`: sweeps until at least npage pages went back to the
 * heap or nothing is left to sweep. Returns the pages reclaimed.
 */
export function reclaim(h: MHeap, npage: number, acct: number): number {
  let got = 0;
  while (got < npage) {
    const n = sweepone(h, acct);
    if (n < 0) break;
    got += n;
  }
  return got;
}

/** Sweeps every span left in this cycle (the loop of Go's `finishsweep_m`). */
export function finishSweep(h: MHeap, acct: number): void {
  while (sweepone(h, acct) >= 0) {}
}

/**
 * Starts a free cycle: finishes the current one (Go's `finishsweep_m`, then
 * resetting the emptied unswept sets) and advances the sweep generation
 * (Go's `gcSweep`), so every span in the mcentral sets needs sweeping and
 * every span an mcache holds is stale until it is swept on its way back;
 * the scavenge index moves to its next generation (Go's gcMarkTermination).
 */
export function startFreeCycle(h: MHeap, acct: number): void {
  finishSweep(h, acct);
  resetUnswept(h);
  h.lock();
  try {
    h.sweepgen = (h.sweepgen + 2) >>> 0;
    h.sweepDone = false;
    h.sweepCentralIndex = 0;
    h.setField("numCycles", h.getField("numCycles") + 1);
    // Go moves the scavenge index to its next generation here, at peak heap.
    h.pages.scavIndex.nextGen();
  } finally {
    h.unlock();
  }
}

/**
 * Go's `mheap.alloc` for a heap span: sweeps to reclaim npages pages first
 * if the cycle's sweeping is not done, then {@link MHeap.allocSpan}.
 */
export function mheapAlloc(
  h: MHeap,
  npages: number,
  spanclass: number,
  pc: PageCache | null,
  mayGrow: boolean,
  acct: number,
): number {
  if (!h.sweepDone) reclaim(h, npages, acct);
  return h.allocSpan(npages, spanclass, pc, mayGrow);
}
