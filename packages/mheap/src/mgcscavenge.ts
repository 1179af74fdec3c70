/**
 * The page allocator's scavenging side (Go's mgcscavenge.go, the parts below
 * the background scavenger's pacing): `fillAligned`, `findScavengeCandidate`
 * over a chunk's pallocData, the scavenge index that says which chunks may
 * hold free, unscavenged pages, and `scavenge`/`scavengeOne`, which
 * `PageAlloc` delegates to. The index's per-chunk `scavChunkData` words and
 * its cursors live in managed memory. See docs/design.md, "Managed memory".
 */
import { type MemView, RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import { leadingZeros64, shl64Hi, shl64Lo } from "@gomalloc/span";
import type { MHeap } from "./mheap.js";
import type { PageAlloc } from "./mpagealloc.js";
import { type PallocBits, pageBitsSetRange } from "./mpallocbits.js";

// ---------------------------------------------------------------------------
// fillAligned

/** fillAligned on one 32-bit half, for a group width m ≤ 32 (groups never straddle halves). */
function fillAligned32(x: number, m: number): number {
  let c: number;
  switch (m) {
    case 1:
      return x >>> 0;
    case 2:
      c = 0x55555555;
      break;
    case 4:
      c = 0x77777777;
      break;
    case 8:
      c = 0x7f7f7f7f;
      break;
    case 16:
      c = 0x7fff7fff;
      break;
    case 32:
      c = 0x7fffffff;
      break;
    default:
      throw new RuntimeThrow("bad m value");
  }
  // The top bit of each m-group ends up set iff the group of x was all zeros
  // (the zero-byte trick, widened to m-bit groups; no carry leaves a group).
  const t = ~(((x & c) + c) | x | c) >>> 0;
  // Subtracting spreads each top bit over its group; invert to get the fill.
  return ~((t - (t >>> (m - 1))) | t) >>> 0;
}

/**
 * Low half of Go's `fillAligned(x, m)`: each m-aligned group of m bits of
 * `hi:lo` becomes all ones if any of its bits is set, else stays zero. `m` is a
 * power of two ≤ 64.
 */
export function fillAlignedLo(lo: number, hi: number, m: number): number {
  if (m === 64) return (lo | hi) === 0 ? 0 : 0xffffffff;
  return fillAligned32(lo, m);
}

/** High half of Go's `fillAligned(x, m)`. */
export function fillAlignedHi(lo: number, hi: number, m: number): number {
  if (m === 64) return (lo | hi) === 0 ? 0 : 0xffffffff;
  return fillAligned32(hi, m);
}

// ---------------------------------------------------------------------------
// findScavengeCandidate

/**
 * Go's `pallocData.findScavengeCandidate`: searching down from `searchIdx`, the
 * highest run of free and unscavenged pages in the chunk `pd` points at, at
 * least `minimum` pages long and `minimum`-aligned (a power of two ≤
 * `maxPagesPerPhysPage`), cut to about `max` pages (0 means `minimum`), widened
 * so as not to split a free huge page. Returns the run's first page and leaves
 * its length in `pd.candidateSize` (0 when there is none).
 */
export function findScavengeCandidate(
  pd: PallocBits,
  searchIdx: number,
  minimum: number,
  max: number,
  pageSize: number,
  physPageSize: number,
  physHugePageSize: number,
  maxPagesPerPhysPage: number,
): number {
  if ((minimum & (minimum - 1)) !== 0 || minimum === 0) throw new RuntimeThrow("min must be a non-zero power of 2");
  if (minimum > maxPagesPerPhysPage) throw new RuntimeThrow("min too large");
  max = max === 0 ? minimum : Math.ceil(max / minimum) * minimum;

  const u32 = pd.u32;
  const a = pd.off;
  const s = pd.off + pd.scavOff;
  let i = Math.floor(searchIdx / 64);
  // 1s mark pages that are scavenged or in use; 0s are candidates.
  let xl = 0;
  let xh = 0;
  for (; i >= 0; i--) {
    const l = u32[s + 2 * i]! | u32[a + 2 * i]!;
    const h = u32[s + 2 * i + 1]! | u32[a + 2 * i + 1]!;
    xl = fillAlignedLo(l, h, minimum);
    xh = fillAlignedHi(l, h, minimum);
    if (xl !== 0xffffffff || xh !== 0xffffffff) break;
  }
  if (i < 0) {
    pd.candidateSize = 0;
    return 0;
  }
  const z1 = leadingZeros64(~xl, ~xh);
  const end = i * 64 + (64 - z1);
  let run: number;
  const sl = shl64Lo(xl, z1);
  const sh = shl64Hi(xl, xh, z1);
  if ((sl | sh) !== 0) {
    run = leadingZeros64(sl, sh);
  } else {
    run = 64 - z1;
    for (let j = i - 1; j >= 0; j--) {
      const l = u32[s + 2 * j]! | u32[a + 2 * j]!;
      const h = u32[s + 2 * j + 1]! | u32[a + 2 * j + 1]!;
      const yl = fillAlignedLo(l, h, minimum);
      const yh = fillAlignedHi(l, h, minimum);
      run += leadingZeros64(yl, yh);
      if ((yl | yh) !== 0) break;
    }
  }
  let size = Math.min(run, max);
  let start = end - size;
  if (physHugePageSize > pageSize && physHugePageSize > physPageSize) {
    // Grow the candidate down to a huge page boundary rather than break a
    // free huge page that the whole run covers.
    const pagesPerHugePage = physHugePageSize / pageSize;
    const hugePageAbove = Math.ceil(start / pagesPerHugePage) * pagesPerHugePage;
    if (hugePageAbove <= end) {
      const hugePageBelow = Math.floor(start / pagesPerHugePage) * pagesPerHugePage;
      if (hugePageBelow >= end - run) {
        size += start - hugePageBelow;
        start = hugePageBelow;
      }
    }
  }
  pd.candidateSize = size;
  return start;
}

// ---------------------------------------------------------------------------
// scavChunkData: per-chunk occupancy, packed in 64 bits like Go's.

/** Go's `scavChunkHasFree` flag. */
export const scavChunkHasFree = 1;

/**
 * The scavenge index (Go's `scavengeIndex`): one packed `scavChunkData` per
 * chunk (`inUse` in bits 0–15, `lastInUse` from bit 16, 6 flag bits after it,
 * `gen` in the high word), plus two search cursors stored as Go's
 * `atomicOffAddr` (an offset address, negated when marked). Addresses here
 * are offset-space addresses (address + the profile's arena base offset).
 *
 * Invariants:
 * - SI1: for every grown chunk c, inUse(c) = number of in-use pages of c's alloc bitmap.
 * - SI2: min ≤ minHeapIdx and every grown chunk index is in [min, max) (its word is mapped).
 *
 * Caller must hold the mheap lock.
 */
export class ScavengeIndex {
  /** View of the header words holding the index's scalar fields. */
  hv: MemView;
  /** Byte address of the index's fields in the header. */
  readonly haddr: number;
  /** View of the chunk array. */
  cv: MemView;
  /** Address of the chunk array. */
  chunksBase: number;
  readonly pallocChunkPages: number;
  readonly pallocChunkBytes: number;
  readonly pageSize: number;
  readonly hiOccPages: number;
  readonly flagsShift: number;
  readonly lastInUseMask: number;
  /** Second result of {@link find}: the page index to start searching from. */
  findPageIdx: number;
  /** Second result of the last cursor load: whether the cursor was marked. */
  private cursorMarked: boolean;

  /**
   * @param hv - view over the header.
   * @param haddr - address of the index's 64-byte field block in the header.
   * @param cv - view over the chunk array (may be a placeholder until init).
   * @param chunksBase - address of the chunk array.
   */
  constructor(
    hv: MemView,
    haddr: number,
    cv: MemView,
    chunksBase: number,
    logPallocChunkPages: number,
    pageSize: number,
  ) {
    this.hv = hv;
    this.haddr = haddr;
    this.cv = cv;
    this.chunksBase = chunksBase;
    this.pallocChunkPages = 2 ** logPallocChunkPages;
    this.pallocChunkBytes = this.pallocChunkPages * pageSize;
    this.pageSize = pageSize;
    // Go: uint16(scavChunkHiOccFrac * pallocChunkPages), scavChunkHiOccFrac = 0.96875.
    this.hiOccPages = Math.floor(0.96875 * this.pallocChunkPages);
    this.flagsShift = 16 + logPallocChunkPages + 1;
    this.lastInUseMask = 2 ** (logPallocChunkPages + 1) - 1;
    this.findPageIdx = 0;
    this.cursorMarked = false;
  }

  // Field accessors (f64 slots at haddr + 8k, u32 slots after them).
  private f(k: number): number {
    return this.hv.f64[(this.haddr - this.hv.base) / 8 + k]!;
  }
  private setF(k: number, v: number): void {
    this.hv.f64[(this.haddr - this.hv.base) / 8 + k] = v;
  }
  private u(k: number): number {
    return this.hv.u32[(this.haddr - this.hv.base) / 4 + 8 + k]!;
  }
  private setU(k: number, v: number): void {
    this.hv.u32[(this.haddr - this.hv.base) / 4 + 8 + k] = v;
  }

  /** Lowest chunk index whose word is mapped. */
  get min(): number {
    return this.u(0);
  }
  /** One past the highest chunk index whose word is mapped. */
  get max(): number {
    return this.u(1);
  }
  /** Lowest chunk index ever grown (Go's minHeapIdx). */
  get minHeapIdx(): number {
    return this.u(2);
  }
  /** The scavenger generation (Go's gen). */
  get gen(): number {
    return this.u(3);
  }
  /** Highest offset address freed this generation (Go's freeHWM). */
  get freeHWM(): number {
    return this.f(2);
  }
  set min(v: number) {
    this.setU(0, v);
  }
  set max(v: number) {
    this.setU(1, v);
  }
  set minHeapIdx(v: number) {
    this.setU(2, v);
  }

  /** Points the index at its chunk array after compact metadata moved it (bounds and cursors unchanged). */
  rebind(chunksBase: number, cv: MemView): void {
    this.chunksBase = chunksBase;
    this.cv = cv;
  }

  /** Moves the index to a new chunk array at `chunksBase` covering chunks `[min, max)` (compact metadata). */
  rebase(chunksBase: number, cv: MemView, min: number, max: number): void {
    this.rebind(chunksBase, cv);
    this.setF(3, chunksBase);
    this.setU(0, min);
    this.setU(1, max);
  }

  /** Go's `scavengeIndex.init`, given the chunk array's placement and mapped bounds. */
  init(chunksBase: number, cv: MemView, min: number, max: number): void {
    this.chunksBase = chunksBase;
    this.cv = cv;
    this.setF(0, 0); // searchAddrBg: cleared (minOffAddr)
    this.setF(1, 0); // searchAddrForce
    this.setF(2, 0); // freeHWM = minOffAddr
    this.setF(3, chunksBase);
    this.setU(0, min);
    this.setU(1, max);
    this.setU(2, 0);
    this.setU(3, 0);
  }

  /** Word index of chunk ci's scavChunkData. */
  private w(ci: number): number {
    return (this.chunksBase - this.cv.base) / 4 + 2 * ci;
  }

  /** Packed low word of chunk ci: inUse | lastInUse<<16 | flags<<flagsShift. */
  chunkLo(ci: number): number {
    return this.cv.u32[this.w(ci)]!;
  }
  /** Packed high word of chunk ci: gen. */
  chunkHi(ci: number): number {
    return this.cv.u32[this.w(ci) + 1]!;
  }
  /** Pages in use in chunk ci, as the index knows it. */
  inUse(ci: number): number {
    return this.chunkLo(ci) & 0xffff;
  }

  /** Go's `scavChunkData.shouldScavenge` on chunk ci. */
  shouldScavenge(ci: number, currGen: number, force: boolean): boolean {
    const lo = this.chunkLo(ci);
    if (((lo >>> this.flagsShift) & scavChunkHasFree) === 0) return false;
    if (force) return true;
    const inUse = lo & 0xffff;
    if (this.chunkHi(ci) === currGen) {
      const last = (lo >>> 16) & this.lastInUseMask;
      return inUse < this.hiOccPages && last < this.hiOccPages;
    }
    return inUse < this.hiOccPages;
  }

  private store(ci: number, inUse: number, last: number, flags: number, gen: number): void {
    const w = this.w(ci);
    const u32 = this.cv.u32;
    u32[w] = (inUse | (last << 16) | (flags << this.flagsShift)) >>> 0;
    u32[w + 1] = gen >>> 0;
  }

  // atomicOffAddr cursors: slot 0 = searchAddrBg, slot 1 = searchAddrForce.
  private cursorClear(k: number): void {
    if (this.f(k) < 0) return;
    this.setF(k, 0);
  }
  private cursorStoreMin(k: number, addr: number): void {
    if (this.f(k) < addr) return;
    this.setF(k, addr);
  }
  private cursorStoreUnmark(k: number, marked: number, addr: number): void {
    if (this.f(k) === -marked) this.setF(k, addr);
  }
  /** The cursor's address (offset space) and, in {@link cursorMarked}, whether it was marked. */
  private cursorLoad(k: number): number {
    const v = this.f(k);
    this.cursorMarked = v < 0;
    return v < 0 ? -v : v;
  }

  /** Raw value of cursor k (0 = background, 1 = force): negative when marked. */
  cursorRaw(k: number): number {
    return this.f(k);
  }

  /**
   * Go's `scavengeIndex.find`: the highest chunk that may hold pages to
   * scavenge, or 0 when none; the page to start from goes to {@link findPageIdx}.
   */
  find(force: boolean): number {
    const k = force ? 1 : 0;
    const searchAddr = this.cursorLoad(k);
    const marked = this.cursorMarked;
    if (searchAddr === 0) {
      this.findPageIdx = 0;
      return 0;
    }
    const gen = this.gen;
    const min = this.minHeapIdx;
    const start = Math.floor(searchAddr / this.pallocChunkBytes);
    for (let i = start; i >= min; i--) {
      if (!this.shouldScavenge(i, gen, force)) continue;
      if (i === start) {
        this.findPageIdx = Math.floor((searchAddr % this.pallocChunkBytes) / this.pageSize);
        return i;
      }
      const newSearchAddr = i * this.pallocChunkBytes + this.pallocChunkBytes - this.pageSize;
      if (marked) this.cursorStoreUnmark(k, searchAddr, newSearchAddr);
      else this.cursorStoreMin(k, newSearchAddr);
      this.findPageIdx = this.pallocChunkPages - 1;
      return i;
    }
    this.cursorClear(k);
    this.findPageIdx = 0;
    return 0;
  }

  /** Go's `scavengeIndex.alloc`: npages were allocated in chunk ci. */
  alloc(ci: number, npages: number): void {
    const lo = this.chunkLo(ci);
    let inUse = lo & 0xffff;
    let last = (lo >>> 16) & this.lastInUseMask;
    let flags = (lo >>> this.flagsShift) & 0x3f;
    let gen = this.chunkHi(ci);
    if (inUse + npages > this.pallocChunkPages) throw new RuntimeThrow("too many pages allocated in chunk?");
    if (gen !== this.gen) {
      last = inUse;
      gen = this.gen;
    }
    inUse += npages;
    if (inUse === this.pallocChunkPages) flags &= ~scavChunkHasFree;
    this.store(ci, inUse, last, flags, gen);
  }

  /** Go's `scavengeIndex.free`: npages starting at page `page` were freed in chunk ci. */
  free(ci: number, page: number, npages: number): void {
    const lo = this.chunkLo(ci);
    let inUse = lo & 0xffff;
    let last = (lo >>> 16) & this.lastInUseMask;
    let gen = this.chunkHi(ci);
    if (inUse < npages) throw new RuntimeThrow("allocated pages below zero?");
    if (gen !== this.gen) {
      last = inUse;
      gen = this.gen;
    }
    inUse -= npages;
    const flags = ((lo >>> this.flagsShift) & 0x3f) | scavChunkHasFree;
    this.store(ci, inUse, last, flags, gen);
    const addr = ci * this.pallocChunkBytes + (page + npages - 1) * this.pageSize;
    if (this.f(2) < addr) this.setF(2, addr);
    if (this.cursorLoad(1) < addr) this.setF(1, -addr);
  }

  /** Go's `scavengeIndex.nextGen`: one more generation (once per GC cycle, or more to release more). */
  nextGen(): void {
    this.setU(3, (this.gen + 1) >>> 0);
    if (this.cursorLoad(0) < this.f(2)) this.setF(0, -this.f(2));
    this.setF(2, 0);
  }

  /** Go's `scavengeIndex.setEmpty`: the scavenger is done with chunk ci for now. */
  setEmpty(ci: number): void {
    const lo = this.chunkLo(ci);
    this.cv.u32[this.w(ci)] = (lo & ~(scavChunkHasFree << this.flagsShift)) >>> 0;
  }

  /** Go's `scavengeIndex.grow` bookkeeping: records the lowest grown chunk. */
  noteGrow(baseChunk: number): void {
    const m = this.minHeapIdx;
    if (m === 0 || baseChunk < m) this.minHeapIdx = baseChunk;
  }
}

// ---------------------------------------------------------------------------
// pageAlloc.scavenge and scavengeOne

/** Go's `pageAlloc.scavenge` (see `PageAlloc.scavenge`). Caller must hold the mheap lock. */
export function scavenge(p: PageAlloc, nbytes: number, force: boolean): number {
  let released = 0;
  while (released < nbytes) {
    const ci = p.scavIndex.find(force);
    if (ci === 0) break;
    released += scavengeOne(p, ci, p.scavIndex.findPageIdx, nbytes - released);
  }
  return released;
}

/**
 * Go's `pageAlloc.scavengeOne` (see `PageAlloc.scavengeOne`): the run is held
 * allocated while `release` runs, then freed and marked scavenged; if
 * `release` throws, the run is freed unscavenged and the error propagates.
 */
export function scavengeOne(p: PageAlloc, ci: number, searchIdx: number, max: number): number {
  const g = p.g;
  const physPageSize = p.sys.physPageSize;
  const maxPages = Math.ceil(max / g.pageSize);
  const minPages = Math.max(1, physPageSize / g.pageSize);
  const leaf = g.summaryLevels - 1;
  if (p.summaryMax(leaf, ci) >= minPages) {
    p.chunkOf(ci);
    const base = findScavengeCandidate(
      p.pb,
      searchIdx,
      minPages,
      maxPages,
      g.pageSize,
      physPageSize,
      g.physHugePageSize,
      g.maxPagesPerPhysPage,
    );
    const npages = p.pb.candidateSize;
    if (npages !== 0) {
      const addr = g.chunkBase(ci) + base * g.pageSize;
      p.chunkOf(ci);
      p.pb.dataAllocRange(base, npages);
      p.update(addr, npages, true, true);
      let ok = false;
      try {
        if (p.release !== undefined) p.release(addr - g.arenaBaseOffsetAdd, npages * g.pageSize);
        ok = true;
      } finally {
        if (addr < p.searchAddr) p.searchAddr = addr;
        p.chunkOf(ci);
        p.pb.free(base, npages);
        p.update(addr, npages, true, false);
        if (ok) {
          const off = p.chunkOf(ci);
          pageBitsSetRange(p.cu32, off + p.pb.scavOff, base, npages);
          p.addReleased(npages * g.pageSize);
        }
      }
      return npages * g.pageSize;
    }
  }
  p.scavIndex.setEmpty(ci);
  return 0;
}

// ---- the heap-level scavenger (MHeap delegates here) -----------------------------------------------

/** A goal for the heap's scavenger. */
export type ScavengeGoalSpec = { retainedBytes: number } | { fraction: number } | { heapGoalFraction: number };

/** Go's `heapRetained`: heapInUse + heapFree (mapped heap memory not released). */
export function heapRetained(h: MHeap): number {
  return h.sys.statLoad(SysStat.heapInUse) + h.sys.statLoad(SysStat.heapFree);
}

/**
 * The retained-bytes goal now (Infinity when there is none). `heapGoal` is
 * the heap goal for a goal relative to it (Go's default); callers that do not
 * know it pass Infinity.
 */
export function scavengeGoal(h: MHeap, heapGoal: number): number {
  const kind = h.getField("scavKind");
  const x = h.getField("scavGoal");
  if (kind === 1) return Math.ceil(h.sys.statLoad(SysStat.heapInUse) * (1 + x));
  if (kind === 2) return heapGoal === Number.POSITIVE_INFINITY ? heapGoal : Math.ceil(heapGoal * (1 + x));
  return x;
}

/**
 * Sets the scavenger's goal: keep at most `retainedBytes` of heap memory
 * mapped (in-use plus free), at most `(1 + fraction)` times the in-use heap,
 * or — Go's default, with fraction retainExtraPercent/100 — at most
 * `(1 + heapGoalFraction)` times the heap goal. Infinity turns it off.
 */
export function setScavengeGoal(h: MHeap, goal: ScavengeGoalSpec): void {
  if ("fraction" in goal) {
    h.setField("scavKind", 1);
    h.setField("scavGoal", goal.fraction);
  } else if ("heapGoalFraction" in goal) {
    h.setField("scavKind", 2);
    h.setField("scavGoal", goal.heapGoalFraction);
  } else {
    h.setField("scavKind", 0);
    h.setField("scavGoal", goal.retainedBytes);
  }
}

/**
 * Releases about `nbytes` of free memory: Go's scavenger run synchronously,
 * first with its density heuristics, then — if that released too little and
 * `forceRest` — forced (what Go's background scavenger would reach over
 * time). Returns the bytes released. Caller must hold the mheap lock.
 */
export function scavengeLocked(h: MHeap, nbytes: number, forceRest: boolean): number {
  if (!(nbytes > 0)) return 0;
  let got = h.pages.scavenge(nbytes, false);
  if (got < nbytes && forceRest) got += h.pages.scavenge(nbytes - got, true);
  return got;
}

/** Go's allocSpan scavenge assist after growth: keep retained + growth under the goal. Caller holds the lock. */
export function scavengeAfterGrowthLocked(h: MHeap, growth: number): void {
  const goal = scavengeGoal(h, Number.POSITIVE_INFINITY);
  if (goal === Number.POSITIVE_INFINITY) return;
  const retained = heapRetained(h);
  if (retained > goal) scavengeLocked(h, Math.min(growth, retained - goal), true);
}

/** The page allocator's release hook: Go's sysUnused plus the released/free statistics. */
export function releasePages(h: MHeap, addr: number, bytes: number): void {
  h.sys.sysUnused(addr, bytes);
  h.sys.statAdd(SysStat.heapReleased, bytes);
  h.sys.statAdd(SysStat.heapFree, -bytes);
  h.setField("released", h.getField("released") + bytes);
}
