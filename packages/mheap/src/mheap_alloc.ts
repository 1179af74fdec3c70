/**
 * The heap's span-level allocation: Go's `mheap.grow`, `mheap.allocSpan`
 * (with `initSpan`), `freeSpanLocked`, and the in-place grow/shrink of large
 * spans that realloc uses. MHeap's methods of the same names delegate here;
 * docs/design.md "The heap" describes how these pieces fit together.
 */
import { alignUp, hex, RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import { F_elemsize, F_limit, F_needzero, F_npages, mSpanDead, mSpanInUse } from "@gomalloc/span";
import { sysAllocArena } from "./arenahints.js";
import { clearPageBits, setPageBit } from "./heaparena.js";
import { scavengeAfterGrowthLocked } from "./mgcscavenge.js";
import { F_tinySide, type MHeap } from "./mheap.js";
import { type PageCache, pageCachePages } from "./mpagecache.js";
import { pageBitsSetRange } from "./mpallocbits.js";

/**
 * Go's `mheap.grow`: adds at least npage pages to the page allocator, taking
 * address space from the current arena reservation or a new one
 * (`sysAlloc`), moving what it hands over Reserved→Prepared (counted as
 * released). Returns the bytes added, or -1 if the backend refused (nothing
 * changes then). Caller must hold the mheap lock.
 */
export function growLocked(h: MHeap, npage: number): number {
  const g = h.geom;
  const pg = h.pages.g;
  const ask = alignUp(npage, pg.pallocChunkPages) * g.pageSize;
  const pps = h.physPageSize;
  let totalGrowth = 0;
  let curBase = h.curArenaBase;
  let curEnd = h.curArenaEnd;
  const end = curBase + ask;
  let nBase = alignUp(end, pps);
  if (nBase > curEnd) {
    const [av, asize] = sysAllocArena(h, ask);
    if (av === 0) {
      const inUse =
        h.sys.statLoad(SysStat.heapFree) + h.sys.statLoad(SysStat.heapReleased) + h.sys.statLoad(SysStat.heapInUse);
      h.lastGrowFailure = `runtime: out of memory: cannot allocate ${ask}-byte block (${inUse} in use)`;
      return -1;
    }
    if (av === curEnd) {
      curEnd = av + asize;
    } else {
      // Hand the rest of the old reservation over before switching.
      if (curEnd - curBase !== 0) {
        if (!mapAndGrow(h, curBase, curEnd - curBase)) {
          // The new arenas stay registered and reserved and become current; only
          // the old reservation's rest (address space, no memory) is given up.
          h.setCurArena(av, av + asize);
          return -1;
        }
        totalGrowth += curEnd - curBase;
      }
      curBase = av;
      curEnd = av + asize;
    }
    h.setCurArena(curBase, curEnd);
    nBase = alignUp(curBase + ask, pps);
  }
  if (!mapAndGrow(h, curBase, nBase - curBase)) return -1;
  h.setCurArena(nBase, curEnd);
  return totalGrowth + nBase - curBase;
}

/** sysMap `[v, v+size)` as released heap memory and grow the page allocator over it; false (undone) if refused. */
function mapAndGrow(h: MHeap, v: number, size: number): boolean {
  if (!h.sys.sysMap(v, size, SysStat.heapReleased)) {
    h.lastGrowFailure = `runtime: out of memory: cannot map ${size} bytes of heap at ${hex(v)}`;
    return false;
  }
  try {
    h.pages.grow(v, size);
  } catch (e) {
    h.sys.sysUnmap(v, size, SysStat.heapReleased);
    if ((e as { _tag?: string })._tag === "PageAllocOutOfMemoryError") {
      h.lastGrowFailure = (e as Error).message;
      return false;
    }
    throw e;
  }
  return true;
}

/**
 * Go's `mheap.allocSpan` for heap spans: npages pages (from the P's page
 * cache `pc` for small counts, else the page allocator), growing the heap
 * if `mayGrow`, as a span of class `spanclass` with its record, bitmaps,
 * page map and statistics. Returns the span, or 0 when memory is exhausted
 * (or would need growth and `mayGrow` is false); nothing changes then.
 */
export function allocSpan(h: MHeap, npages: number, spanclass: number, pc: PageCache | null, mayGrow: boolean): number {
  const g = h.geom;
  let base = 0;
  let scav = 0;
  let growth = 0;
  if (pc !== null && npages < pageCachePages / 4) {
    if (pc.empty()) {
      h.lock();
      try {
        h.pages.allocToCache(pc);
      } finally {
        h.unlock();
      }
    }
    base = pc.alloc(npages);
    scav = pc.scav;
  }
  h.lock();
  try {
    if (base === 0) {
      base = h.pages.alloc(npages);
      scav = h.pages.scav;
      if (base === 0) {
        if (!mayGrow) return 0;
        growth = h.growLocked(npages);
        if (growth < 0) return 0;
        base = h.pages.alloc(npages);
        scav = h.pages.scav;
        if (base === 0) throw new RuntimeThrow("grew heap, but no adequate free space found");
      }
    }
    const nbytes = npages * g.pageSize;
    if (scav !== 0 && !h.sys.sysUsed(base, nbytes, scav)) {
      unallocPagesLocked(h, base, npages, scav, false);
      return 0;
    }
    const s = h.spans.allocSpan();
    if (s === 0 || !initSpanLocked(h, s, spanclass, base, npages, scav)) {
      if (s !== 0) h.spans.freeSpan(s);
      unallocPagesLocked(h, base, npages, scav, true);
      return 0;
    }
    accountPagesInUse(h, nbytes, scav);
    if (growth > 0) scavengeAfterGrowthLocked(h, growth);
    return s;
  } finally {
    h.unlock();
  }
}

/**
 * Accounts `nbytes` of pages going into use, `scav` of them scavenged:
 * released → in use and free → in use, each move under one lock.
 */
function accountPagesInUse(h: MHeap, nbytes: number, scav: number): void {
  if (scav !== 0) h.sys.statAddPair(SysStat.heapReleased, -scav, SysStat.heapInUse, scav);
  if (nbytes !== scav) h.sys.statAddPair(SysStat.heapFree, -(nbytes - scav), SysStat.heapInUse, nbytes - scav);
}

/**
 * Gives pages just taken (`scav` of their bytes scavenged) back to the page
 * allocator. If their memory is Ready (`used`), they go back unscavenged and
 * their scavenged bytes move from heapReleased to heapFree; if sysUsed was
 * refused, they all go back scavenged and their unscavenged bytes move the
 * other way (like a page Go's sysUsed made Ready next to a scavenged one, a
 * page may then be accounted released while its memory is Ready). Caller
 * must hold the mheap lock.
 */
function unallocPagesLocked(h: MHeap, base: number, npages: number, scav: number, used: boolean): void {
  const p = h.pages;
  const pg = p.g;
  const nbytes = npages * pg.pageSize;
  p.free(base, npages);
  if (used) {
    h.sys.statAddPair(SysStat.heapReleased, -scav, SysStat.heapFree, scav);
    return;
  }
  for (let i = 0; i < npages; i++) {
    const ob = base + i * pg.pageSize + pg.arenaBaseOffsetAdd;
    const off = p.chunkOf(pg.chunkIndex(ob));
    pageBitsSetRange(p.cu32, off + p.pb.scavOff, pg.chunkPageIndex(ob), 1);
  }
  h.sys.statAddPair(SysStat.heapReleased, nbytes - scav, SysStat.heapFree, -(nbytes - scav));
}

/** Go's `mheap.initSpan` for heap spans; false (s untouched beyond init) if no bitmap memory is left. */
function initSpanLocked(h: MHeap, s: number, spanclass: number, base: number, npages: number, scav: number): boolean {
  const t = h.spans;
  const g = h.geom;
  t.init(s, base, npages);
  const sizeclass = spanclass >>> 1;
  const sc = h.sizeClasses;
  const needZero = h.allocNeedsZero(base, npages);
  const needzero = scav !== npages * g.pageSize && needZero;
  const ok =
    sizeclass === 0
      ? t.initSpan(s, spanclass, 0, 0, needzero, h.sweepgen)
      : t.initSpan(s, spanclass, sc.class_to_size[sizeclass]!, sc.class_to_divmagic[sizeclass]!, needzero, h.sweepgen);
  if (!ok) return false;
  if (spanclass === h.tinySideSpanClass && h.tinyAlloc !== null) {
    const side = h.tinyAlloc.alloc();
    if (side === 0) {
      t.init(s, 0, 0);
      return false;
    }
    t.setU32(s, F_tinySide, (side - t.v.base) / 4);
  }
  h.setSpans(base, npages, s);
  clearPageBits(h, base, npages, g.offFreedBase);
  setPageBit(h, base, g.offPageInUse, true);
  h.addPagesInUse(npages);
  return true;
}

/** Go's `freeSpanLocked`. Caller must hold the mheap lock. */
export function freeSpanLocked(h: MHeap, s: number): void {
  const t = h.spans;
  const g = h.geom;
  if (t.state(s) !== mSpanInUse) throw new RuntimeThrow("mheap.freeSpanLocked - invalid span state");
  if (t.allocCount(s) !== 0 || (t.sweepgen(s) !== h.sweepgen && t.spanclass(s) >>> 1 !== 0)) {
    throw new RuntimeThrow("mheap.freeSpanLocked - invalid free");
  }
  const base = t.base(s);
  const npages = t.npages(s);
  h.addPagesInUse(-npages);
  setPageBit(h, base, g.offPageInUse, false);
  setPageBit(h, base, g.offFreedBase, true);
  const nbytes = npages * g.pageSize;
  h.sys.statAddPair(SysStat.heapInUse, -nbytes, SysStat.heapFree, nbytes);
  h.pages.freeInUse(base, npages); // the span was in use: so are its pages
  const side = t.getU32(s, F_tinySide);
  if (side !== 0 && t.spanclass(s) === h.tinySideSpanClass && h.tinyAlloc !== null) {
    h.tinyAlloc.free(t.v.base + 4 * side);
  }
  t.setState(s, mSpanDead);
  t.freeSpan(s); // releases the bitmaps (Go does not re-init a freed record either)
}

/**
 * Grows the large-object span s in place to npages pages if the pages right
 * after it are free and grown (realloc's fast case): takes them from the
 * page allocator (sysUsed where scavenged), maps them to s and updates its
 * geometry and the statistics. Returns false, changing nothing, otherwise.
 */
export function growSpan(h: MHeap, s: number, npages: number): boolean {
  const t = h.spans;
  const g = h.geom;
  const have = t.npages(s);
  const extra = npages - have;
  if (extra <= 0) return extra === 0;
  const from = t.base(s) + have * g.pageSize;
  h.lock();
  try {
    const p = h.pages;
    const ob = from + p.g.arenaBaseOffsetAdd;
    const r = p.inUse.findSucc(ob) - 1;
    if (r < 0 || ob + extra * g.pageSize > p.inUse.limit(r)) return false;
    if (p.countInUse(ob, extra) !== 0) return false;
    const scav = p.allocRange(ob, extra);
    const nbytes = extra * g.pageSize;
    if (scav !== 0 && !h.sys.sysUsed(from, nbytes, scav)) {
      unallocPagesLocked(h, from, extra, scav, false);
      return false;
    }
    if (h.allocNeedsZero(from, extra)) t.setU8(s, F_needzero, 1);
    h.setSpans(from, extra, s);
    clearPageBits(h, from, extra, g.offFreedBase);
    t.setF64(s, F_npages, npages);
    t.setF64(s, F_elemsize, npages * g.pageSize);
    t.setF64(s, F_limit, t.base(s) + npages * g.pageSize);
    h.addPagesInUse(extra);
    accountPagesInUse(h, nbytes, scav);
    return true;
  } finally {
    h.unlock();
  }
}

/** Shrinks the large-object span s in place to npages (≥ 1) pages, freeing its tail pages. */
export function shrinkSpan(h: MHeap, s: number, npages: number): void {
  const t = h.spans;
  const g = h.geom;
  const have = t.npages(s);
  if (!(npages >= 1 && npages < have)) throw new RuntimeThrow("shrinkSpan: bad page count");
  const tail = t.base(s) + npages * g.pageSize;
  const nbytes = (have - npages) * g.pageSize;
  h.lock();
  try {
    t.setF64(s, F_npages, npages);
    t.setF64(s, F_elemsize, npages * g.pageSize);
    t.setF64(s, F_limit, t.base(s) + npages * g.pageSize);
    h.addPagesInUse(-(have - npages));
    h.sys.statAddPair(SysStat.heapInUse, -nbytes, SysStat.heapFree, nbytes);
    h.pages.free(tail, have - npages);
  } finally {
    h.unlock();
  }
}
