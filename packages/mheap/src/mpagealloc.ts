/**
 * The page allocator (Go's mpagealloc.go): address-ordered first fit over
 * chunks of pages, each with an alloc and a scavenged bitmap, searched through
 * a radix tree of packed (start, max, end) summaries. All state lives in
 * managed memory: a header record (search address, bounds, the in-use ranges,
 * the scavenge index's cursors), the L1 chunk map after it, L2 chunk arrays
 * from sysAlloc, summary levels reserved and mapped as the heap grows (or
 * mapped whole on 32-bit geometries), and the scavenge index. The allocator
 * manages an abstract address range: it never touches the pages it hands out,
 * so it can sub-allocate any buffer. Addresses in the API are plain addresses;
 * inside, they are Go's offset addresses (address + arenaBaseOffset). The
 * geometry-dependent growth code (Go's mpagealloc_64bit.go/_32bit.go) is in
 * mpagealloc_sys.ts. See docs/design.md, "Managed memory".
 */

import { type MemView, RuntimeThrow, type SysMemory, SysStat } from "@gomalloc/os-mem";
import type { PersistentAlloc } from "@gomalloc/persistent";
import { PageCountError, PageDoubleFreeError, PageRangeError } from "./errors.js";
import { ScavengeIndex, scavenge, scavengeOne } from "./mgcscavenge.js";
import { PageAllocGeometry, type PageAllocOptions } from "./mpagealloc_geometry.js";
import { grow, H, HEADER_BYTES, initSummaries, isCompact } from "./mpagealloc_sys.js";
import { allocToCache, type PageCache } from "./mpagecache.js";
import { findFailed, PallocBits, pageBitsPopcntRange, pageBitsSetRange } from "./mpallocbits.js";
import { AddrRanges } from "./mranges.js";
import { mergeSummaries, pallocSumEnd, pallocSumMax, pallocSumStart, writePallocSum } from "./pallocsum.js";

/**
 * Go's `pageAlloc`, as a handle over its state in managed memory.
 *
 * Invariants (checked by `checkPageAlloc`):
 * - PA1: for every grown chunk c, summary[leaf][c] = summarize(alloc bitmap of c);
 *   entries of mapped summary blocks with no grown chunk under them are 0.
 * - PA2: every inner summary[l][i] = mergeSummaries(summary[l+1][i·2^b .. (i+1)·2^b)).
 * - PA3: every page of a grown chunk below searchAddr is in use, and
 *   searchAddr ∈ inUse or searchAddr = maxOffAddr.
 * - PA4: no page is both in use and scavenged (alloc ∧ scavenged = 0).
 * - PA5: chunks of inUse are exactly the grown chunks, all within [start, end).
 * - SI1 (checked with them): scavIndex.inUse(c) = popcount(alloc bitmap of c) for every grown chunk c.
 *
 * Caller must hold the mheap lock.
 */
export class PageAlloc {
  readonly sys: SysMemory;
  readonly g: PageAllocGeometry;
  /** Address of the header record. */
  readonly header: number;
  /** View over the header (and the L1 chunk map that follows it). */
  readonly hv: MemView;
  /** The set of address ranges grown into the allocator (Go's `inUse`), in offset space. */
  readonly inUse: AddrRanges;
  /** Go's `scav.index`. */
  readonly scavIndex: ScavengeIndex;
  /** Go's `release` hook for scavenged ranges (its sysUnused). */
  readonly release: ((addr: number, bytes: number) => void) | undefined;
  /** Statistic handle for metadata memory (Go's `sysStat`). */
  readonly sysStat: SysStat;
  /** Where compact metadata and the in-use range arrays come from (Go's persistentalloc), if given. */
  readonly persistent: PersistentAlloc | undefined;
  /** Whether the metadata is compact (see {@link PageAllocOptions.compact}). */
  readonly compact: boolean;
  /** The header's metadata generation these handles' cached views were taken at. */
  private metaGen: number;
  /** Reusable cursor over chunk bitmaps. */
  readonly pb: PallocBits;
  /** Second result of {@link alloc}: bytes of the allocated range that were scavenged. */
  scav: number;
  /** Second result of {@link find}: the candidate search address (offset space). */
  findSearchAddr: number;
  /** The Uint32Array the last {@link chunkOf} index refers to. */
  cu32: Uint32Array;
  /** Per-level summary views and the u32 index of entry 0 in each. */
  private sumViews: MemView[];
  private sumWord: Float64Array;
  /** Per-L1-slot cached L2 view and u32 index of its first chunk. */
  private l2Views: (MemView | null)[];
  private l2Word: Float64Array;
  /** Word offset of the header's f64 slots. */
  private readonly hf: number;
  private readonly L: number;

  /** Use {@link PageAlloc.create} or {@link PageAlloc.attach}. */
  constructor(sys: SysMemory, opts: PageAllocOptions, header: number, g?: PageAllocGeometry) {
    this.sys = sys;
    this.g = g ?? new PageAllocGeometry(opts);
    this.header = header;
    this.hv = sys.viewOf(header);
    this.hf = (header - this.hv.base) / 8;
    this.L = this.g.logMaxPackedValue;
    this.release = opts.release;
    this.sysStat = opts.sysStat ?? SysStat.gcMiscSys;
    this.pb = new PallocBits(this.g.pallocChunkPages);
    this.scav = 0;
    this.findSearchAddr = 0;
    this.cu32 = this.hv.u32;
    const metaStat = this.sysStat;
    const pa = opts.persistent;
    this.persistent = pa;
    this.compact = isCompact(this.hv, header);
    this.metaGen = this.hv.u32[(header - this.hv.base + H.metaGen) / 4]!;
    this.inUse = new AddrRanges(
      this.hv,
      header + H.ranges,
      pa !== undefined
        ? (bytes) => pa.alloc(bytes, 8, metaStat)
        : (bytes) => sys.sysAlloc(Math.ceil(bytes / sys.physPageSize) * sys.physPageSize, metaStat),
      (a) => sys.viewOf(a),
    );
    const chunksBase = this.hv.f64[this.hf + H.scav / 8 + 3]!;
    this.scavIndex = new ScavengeIndex(
      this.hv,
      header + H.scav,
      chunksBase === 0 ? this.hv : sys.viewOf(chunksBase),
      chunksBase,
      this.g.logPallocChunkPages,
      this.g.pageSize,
    );
    this.sumViews = [];
    this.sumWord = new Float64Array(this.g.summaryLevels);
    this.l2Views = new Array<MemView | null>(2 ** this.g.pallocChunksL1Bits).fill(null);
    this.l2Word = new Float64Array(2 ** this.g.pallocChunksL1Bits);
    this.refreshSummaryViews();
  }

  /**
   * Creates a page allocator with its metadata in `sys` (Go's `pageAlloc.init`).
   * It manages no addresses until {@link grow}. Throws PageAllocConfigError for
   * an impossible geometry and PageAllocOutOfMemoryError if `sys` refuses the
   * metadata reservations.
   */
  static create(sys: SysMemory, opts: PageAllocOptions): PageAlloc {
    const g = new PageAllocGeometry(opts);
    const compact = opts.compact === true && opts.persistent !== undefined ? opts.persistent : null;
    const header = initSummaries(sys, g, opts.sysStat ?? SysStat.gcMiscSys, compact);
    return new PageAlloc(sys, opts, header, g);
  }

  /**
   * Attaches to a page allocator another handle created at `header` in the same
   * managed memory (for example from another worker over a SharedArrayBuffer).
   * `opts` must describe the same geometry.
   */
  static attach(sys: SysMemory, opts: PageAllocOptions, header: number): PageAlloc {
    const g = new PageAllocGeometry(opts);
    const v = sys.viewOf(header);
    const w = (header - v.base) / 4 + H.geometry / 4;
    if (
      v.u32[w] !== 0x70616765 ||
      v.u32[w + 1] !== g.heapAddrBits ||
      v.u32[w + 2] !== g.logPallocChunkPages ||
      v.u32[w + 3] !== g.summaryLevels ||
      v.u32[w + 4] !== g.pageShift
    ) {
      throw new RuntimeThrow("pageAlloc: attach to a header with another geometry");
    }
    return new PageAlloc(sys, opts, header, g);
  }

  private refreshSummaryViews(): void {
    const f = this.hf;
    for (let l = 0; l < this.g.summaryLevels; l++) {
      const base = this.hv.f64[f + H.sumBase / 8 + l]!;
      // A compact level that holds no entries yet has no array.
      const v = base === 0 ? this.hv : this.sys.viewOf(base);
      this.sumViews[l] = v;
      this.sumWord[l] = base === 0 ? 0 : (base - v.base) / 4;
    }
  }

  /**
   * Compact metadata moves when the heap grows; a handle re-reads where its
   * arrays are when the header's generation changed (another worker grew the
   * heap) or when `force`d. The heap calls it whenever it takes its lock; a
   * whole-heap walk may call it without the lock. `locked` says the caller
   * holds the mheap lock.
   */
  syncMeta(force: boolean, locked = false): void {
    if (!this.compact) return;
    // The generation before the locations, by an atomic load when shared: a grower stores it
    // (atomically) after them, so locations read after seeing a generation are at least that
    // new — a handle syncing outside the heap lock (a whole-heap walk) never records a newer
    // generation than the locations it bound, which would hide the next move from it.
    // Under the heap lock (`locked`) a plain read does: growers store it under that lock too.
    const gi = this.hf * 2 + H.metaGen / 4;
    const gen = this.hv.shared && !locked ? Atomics.load(this.hv.u32, gi) : this.hv.u32[gi]!;
    if (!force && gen === this.metaGen) return;
    this.metaGen = gen;
    this.refreshSummaryViews();
    this.l2Views.fill(null);
    const chunks = this.hv.f64[this.hf + H.scav / 8 + 3]!;
    if (chunks !== 0) this.scavIndex.rebind(chunks, this.sys.viewOf(chunks));
  }

  // -------------------------------------------------------------------------
  // Header fields (offset-space addresses).

  /** Go's `searchAddr` (offset space). */
  get searchAddr(): number {
    return this.hv.f64[this.hf + H.searchAddr / 8]!;
  }
  set searchAddr(v: number) {
    this.hv.f64[this.hf + H.searchAddr / 8] = v;
  }
  /** Go's `start`: the lowest chunk index ever grown (0 before the first grow). */
  get start(): number {
    return this.hv.f64[this.hf + H.start / 8]!;
  }
  /** Go's `end`: one past the highest chunk index ever grown. */
  get end(): number {
    return this.hv.f64[this.hf + H.end / 8]!;
  }
  /** Go's `summaryMappedReady`: bytes of summary and index memory mapped Ready. */
  get summaryMappedReady(): number {
    return this.hv.f64[this.hf + H.mappedReady / 8]!;
  }
  /** Total bytes returned by {@link scavenge} so far. */
  get released(): number {
    return this.hv.f64[this.hf + H.released / 8]!;
  }
  /** Go's `chunkHugePages`: whether chunk bitmaps are backed by huge pages. */
  get chunkHugePages(): boolean {
    return this.hv.u32[this.hf * 2 + H.chunkHugePages / 4] !== 0;
  }

  /**
   * Go's `enableChunkHugePages`: from now on back the chunk bitmaps with huge
   * pages, and hint that for the L2 arrays that already exist. Idempotent.
   * (Go's loop stops one L1 entry short of each range's last; this one covers
   * the last too.) Caller must hold the mheap lock.
   */
  enableChunkHugePages(): void {
    if (this.chunkHugePages) return;
    this.hv.u32[this.hf * 2 + H.chunkHugePages / 4] = 1;
    if (this.compact) return; // compact arrays live in persistentalloc chunks: no per-array hints
    const g = this.g;
    const l2Bytes = g.l2Entries * g.chunkDataBytes;
    let last = -1;
    for (let r = 0; r < this.inUse.len; r++) {
      const lo = Math.floor(g.chunkIndex(this.inUse.base(r)) / g.l2Entries);
      const hi = Math.floor(g.chunkIndex(this.inUse.limit(r) - 1) / g.l2Entries);
      for (let l1 = Math.max(lo, last + 1); l1 <= hi; l1++) {
        this.sys.sysHugePage(this.hv.f64[this.hf + HEADER_BYTES / 8 + l1]!, l2Bytes);
        last = l1;
      }
    }
  }

  /** Go's `len(summary[l])`: entries of level l that cover grown memory (block-aligned). */
  summaryLen(l: number): number {
    return this.hv.u32[this.hf * 2 + H.sumLen / 4 + l]!;
  }
  /** Low half of the packed summary `summary[l][i]`. */
  summaryLo(l: number, i: number): number {
    return this.sumViews[l]!.u32[this.sumWord[l]! + 2 * i]!;
  }
  /** High half of the packed summary `summary[l][i]`. */
  summaryHi(l: number, i: number): number {
    return this.sumViews[l]!.u32[this.sumWord[l]! + 2 * i + 1]!;
  }
  /**
   * Go's `summary[l][i].max()`, read in place (the allocation paths use this, not
   * summaryLo/summaryHi: a u32 of 2^31 or more returned from a call V8 does not
   * inline is boxed as a heap number).
   */
  summaryMax(l: number, i: number): number {
    const u = this.sumViews[l]!.u32;
    const k = this.sumWord[l]! + 2 * i;
    return pallocSumMax(u[k]! | 0, u[k + 1]! | 0, this.L);
  }

  // -------------------------------------------------------------------------
  // Chunks.

  /**
   * Go's `chunkOf`: points {@link pb} at chunk ci's pallocData and returns its
   * u32 index in {@link cu32}. The chunk must have been grown.
   */
  chunkOf(ci: number): number {
    const g = this.g;
    const l1 = g.pallocChunksL1Bits === 0 ? 0 : Math.floor(ci / g.l2Entries);
    let v = this.l2Views[l1]!;
    if (v === null) v = this.loadL2(l1);
    const off = this.l2Word[l1]! + (ci - l1 * g.l2Entries) * (g.chunkDataBytes / 4);
    this.cu32 = v.u32;
    this.pb.at(this.cu32, off);
    return off;
  }

  /** Go's `tryChunkOf`: like chunkOf, or -1 when the chunk's L2 array does not exist. */
  tryChunkOf(ci: number): number {
    const g = this.g;
    if (ci < 0 || ci >= g.totalChunks) return -1;
    if (this.compact && ci >= this.hv.u32[this.hf * 2 + H.chunkCap / 4]!) return -1;
    const l1 = g.pallocChunksL1Bits === 0 ? 0 : Math.floor(ci / g.l2Entries);
    if (this.l2Views[l1] === null && this.hv.f64[this.hf + HEADER_BYTES / 8 + l1] === 0) return -1;
    return this.chunkOf(ci);
  }

  private loadL2(l1: number): MemView {
    const a = this.hv.f64[this.hf + HEADER_BYTES / 8 + l1]!;
    if (a === 0) throw new RuntimeThrow("pageAlloc: chunk map entry is nil");
    const v = this.sys.viewOf(a);
    this.l2Views[l1] = v;
    this.l2Word[l1] = (a - v.base) / 4;
    return v;
  }

  // -------------------------------------------------------------------------
  // grow

  /**
   * Go's `pageAlloc.grow`: adds `[base, base+size)` to the managed address
   * space, rounded out to whole chunks, all free and scavenged. `base` and
   * `size` must be page-aligned; the chunks must lie in the address space,
   * overlap nothing grown before, and not hold address 0 or the first chunk
   * (Go's 0 sentinel). Throws PageRangeError for a bad range and
   * PageAllocOutOfMemoryError if the backend refuses metadata memory; either
   * way nothing changes. Caller must hold the mheap lock.
   */
  grow(base: number, size: number): void {
    grow(this, base, size);
  }

  /** Writes the header fields and chunk bitmaps of a grow once its metadata is secured (mpagealloc_sys.ts). */
  commitGrow(base: number, limit: number, newL2: Float64Array | null): void {
    const g = this.g;
    const f = this.hf;
    const firstGrowth = this.start === 0;
    const start = g.chunkIndex(base);
    const end = g.chunkIndex(limit);
    if (firstGrowth || start < this.start) this.hv.f64[f + H.start / 8] = start;
    if (end > this.end) this.hv.f64[f + H.end / 8] = end;
    this.inUse.add(base, limit);
    if (base < this.searchAddr) this.searchAddr = base;
    if (newL2 !== null) {
      for (let l1 = 0; l1 < newL2.length; l1++) {
        if (newL2[l1] !== 0) this.hv.f64[f + HEADER_BYTES / 8 + l1] = newL2[l1]!;
      }
    }
    for (let c = start; c < end; c++) {
      const off = this.chunkOf(c);
      pageBitsSetRange(this.cu32, off + this.pb.scavOff, 0, g.pallocChunkPages);
    }
  }

  // -------------------------------------------------------------------------
  // update

  /**
   * Go's `pageAlloc.update`: recomputes the summaries over `[base,
   * base+npages·pageSize)` (offset space) after its bitmaps changed. `contig`
   * says the change was one contiguous alloc (`alloc` true) or free.
   */
  update(base: number, npages: number, contig: boolean, alloc: boolean): void {
    const g = this.g;
    const L = this.L;
    const limit = base + npages * g.pageSize - 1;
    const sc = g.chunkIndex(base);
    const ec = g.chunkIndex(limit);
    const leaf = g.summaryLevels - 1;
    const lv = this.sumViews[leaf]!;
    const lw = this.sumWord[leaf]!;
    const pb = this.pb;
    if (sc === ec) {
      this.chunkOf(sc);
      pb.summarize();
      if (!writePallocSum(lv.u32, lw + 2 * sc, pb.sumStart, pb.sumMax, pb.sumEnd, L)) return;
    } else if (contig) {
      this.chunkOf(sc);
      pb.summarize();
      writePallocSum(lv.u32, lw + 2 * sc, pb.sumStart, pb.sumMax, pb.sumEnd, L);
      const cp = g.pallocChunkPages;
      for (let c = sc + 1; c < ec; c++) {
        if (alloc) writePallocSum(lv.u32, lw + 2 * c, 0, 0, 0, L);
        else writePallocSum(lv.u32, lw + 2 * c, cp, cp, cp, L);
      }
      this.chunkOf(ec);
      pb.summarize();
      writePallocSum(lv.u32, lw + 2 * ec, pb.sumStart, pb.sumMax, pb.sumEnd, L);
    } else {
      for (let c = sc; c <= ec; c++) {
        this.chunkOf(c);
        pb.summarize();
        writePallocSum(lv.u32, lw + 2 * c, pb.sumStart, pb.sumMax, pb.sumEnd, L);
      }
    }
    let changed = true;
    for (let l = g.summaryLevels - 2; l >= 0 && changed; l--) {
      changed = false;
      const logMaxPages = g.levelLogPages[l + 1]!;
      const span = g.levelSpan[l]!;
      const lo = Math.floor(base / span);
      const hi = Math.floor(limit / span) + 1;
      const cv = this.sumViews[l + 1]!;
      const cw = this.sumWord[l + 1]!;
      const pv = this.sumViews[l]!;
      const pw = this.sumWord[l]!;
      const n = g.levelBlock[l + 1]!;
      for (let i = lo; i < hi; i++) {
        if (mergeSummaries(cv.u32, cw + 2 * i * n, n, logMaxPages, pv.u32, pw + 2 * i, L)) changed = true;
      }
    }
  }

  // -------------------------------------------------------------------------
  // allocRange / find / alloc / free

  /**
   * Go's `pageAlloc.allocRange`: marks `[base, base+npages·pageSize)` (offset
   * space) in use, updates the summaries and the scavenge index, and returns
   * how many of those bytes were scavenged.
   */
  allocRange(base: number, npages: number): number {
    const g = this.g;
    const cp = g.pallocChunkPages;
    const limit = base + npages * g.pageSize - 1;
    const sc = g.chunkIndex(base);
    const ec = g.chunkIndex(limit);
    const si = g.chunkPageIndex(base);
    const ei = g.chunkPageIndex(limit);
    const pb = this.pb;
    let scav = 0;
    if (sc === ec) {
      const off = this.chunkOf(sc);
      scav += pageBitsPopcntRange(this.cu32, off + pb.scavOff, si, ei + 1 - si);
      pb.dataAllocRange(si, ei + 1 - si);
      this.scavIndex.alloc(sc, ei + 1 - si);
    } else {
      let off = this.chunkOf(sc);
      scav += pageBitsPopcntRange(this.cu32, off + pb.scavOff, si, cp - si);
      pb.dataAllocRange(si, cp - si);
      this.scavIndex.alloc(sc, cp - si);
      for (let c = sc + 1; c < ec; c++) {
        off = this.chunkOf(c);
        scav += pageBitsPopcntRange(this.cu32, off + pb.scavOff, 0, cp);
        pb.dataAllocAll();
        this.scavIndex.alloc(c, cp);
      }
      off = this.chunkOf(ec);
      scav += pageBitsPopcntRange(this.cu32, off + pb.scavOff, 0, ei + 1);
      pb.dataAllocRange(0, ei + 1);
      this.scavIndex.alloc(ec, ei + 1);
    }
    this.update(base, npages, true, true);
    return scav * g.pageSize;
  }

  /** Go's `findMappedAddr`: the least in-use offset address ≥ addr, or maxOffAddr. */
  findMappedAddr(addr: number): number {
    const a = this.inUse.findAddrGreaterEqual(addr);
    return a < 0 ? this.g.maxOffAddr : a;
  }

  /**
   * Go's `pageAlloc.find`: the first (address-ordered) run of npages free
   * pages, found by walking the summary levels from the root. Returns its
   * offset address, or 0 when there is none; the candidate new search address
   * goes to {@link findSearchAddr}.
   */
  find(npages: number): number {
    const g = this.g;
    const L = this.L;
    let i = 0;
    let ffBase = 0;
    let ffBound = g.maxOffAddr;
    const searchAddr = this.searchAddr;
    let lastSumIdx = -1;
    for (let l = 0; l < g.summaryLevels; l++) {
      const entriesPerBlock = g.levelBlock[l]!;
      const maxPages = g.levelMaxPages[l]!;
      const levelSpan = g.levelSpan[l]!;
      i *= entriesPerBlock;
      const u = this.sumViews[l]!.u32;
      const w = this.sumWord[l]! + 2 * i;
      let j0 = 0;
      const searchIdx = Math.floor(searchAddr / levelSpan);
      // searchIdx's block and its index inside, without `%` on a double (a C call in V8).
      const searchBlock = Math.floor(searchIdx / entriesPerBlock) * entriesPerBlock;
      if (searchBlock === i) j0 = searchIdx - searchBlock;
      let base = 0;
      let size = 0;
      let descended = false;
      for (let j = j0; j < entriesPerBlock; j++) {
        const lo = u[w + 2 * j]!;
        const hi = u[w + 2 * j + 1]!;
        if (lo === 0 && hi === 0) {
          size = 0;
          continue;
        }
        // foundFree: narrow the window that must hold the first free page.
        const fa = (i + j) * levelSpan;
        const fend = fa + levelSpan - 1;
        if (ffBase <= fa && fend <= ffBound) {
          ffBase = fa;
          ffBound = fend;
        } else if (!(fend < ffBase || ffBound < fa)) {
          throw new RuntimeThrow("range partially overlaps");
        }
        const s = pallocSumStart(lo, hi, L);
        if (size + s >= npages) {
          if (size === 0) base = j * maxPages;
          size += s;
          break;
        }
        if (pallocSumMax(lo, hi, L) >= npages) {
          i += j;
          lastSumIdx = i;
          descended = true;
          break;
        }
        if (size === 0 || s < maxPages) {
          size = pallocSumEnd(lo, hi, L);
          base = (j + 1) * maxPages - size;
          continue;
        }
        size += maxPages;
      }
      if (descended) continue;
      if (size >= npages) {
        this.findSearchAddr = this.findMappedAddr(ffBase);
        return i * levelSpan + base * g.pageSize;
      }
      if (l === 0) {
        this.findSearchAddr = g.maxOffAddr;
        return 0;
      }
      throw new RuntimeThrow(`bad summary data (level ${l}, summary[${l - 1}][${lastSumIdx}], npages ${npages})`);
    }
    const ci = i;
    this.chunkOf(ci);
    const j = this.pb.find(npages, 0);
    if (j === findFailed) throw new RuntimeThrow("bad summary data");
    const addr = g.chunkBase(ci) + j * g.pageSize;
    const sa = g.chunkBase(ci) + this.pb.newSearchIdx * g.pageSize;
    const send = g.chunkBase(ci + 1) - 1;
    if (ffBase <= sa && send <= ffBound) {
      ffBase = sa;
      ffBound = send;
    } else if (!(send < ffBase || ffBound < sa)) {
      throw new RuntimeThrow("range partially overlaps");
    }
    this.findSearchAddr = this.findMappedAddr(ffBase);
    return addr;
  }

  /**
   * Go's `pageAlloc.alloc`: allocates npages contiguous pages, first fit.
   * Returns the base address, or 0 when no run is large enough; the number of
   * scavenged bytes in the run goes to {@link scav}. Throws PageCountError if
   * npages is not a positive integer. Caller must hold the mheap lock.
   */
  alloc(npages: number): number {
    if (!Number.isInteger(npages) || npages < 1) throw new PageCountError(npages);
    const g = this.g;
    this.scav = 0;
    const searchAddr = this.searchAddr;
    if (g.chunkIndex(searchAddr) >= this.end) return 0;
    let addr = 0;
    let newSearch = 0;
    let found = false;
    if (g.pallocChunkPages - g.chunkPageIndex(searchAddr) >= npages) {
      const i = g.chunkIndex(searchAddr);
      const leaf = g.summaryLevels - 1;
      const max = this.summaryMax(leaf, i);
      if (max >= npages) {
        this.chunkOf(i);
        const j = this.pb.find(npages, g.chunkPageIndex(searchAddr));
        if (j === findFailed) throw new RuntimeThrow("bad summary data");
        addr = g.chunkBase(i) + j * g.pageSize;
        newSearch = g.chunkBase(i) + this.pb.newSearchIdx * g.pageSize;
        found = true;
      }
    }
    if (!found) {
      if (npages > g.maxOffAddr / g.pageSize) return 0;
      addr = this.find(npages);
      newSearch = this.findSearchAddr;
      if (addr === 0) {
        if (npages === 1) this.searchAddr = g.maxOffAddr;
        return 0;
      }
    }
    this.scav = this.allocRange(addr, npages);
    if (this.searchAddr < newSearch) this.searchAddr = newSearch;
    return addr - g.arenaBaseOffsetAdd;
  }

  /**
   * Go's `pageAlloc.free`: returns npages pages at `base` to the allocator.
   * Throws PageCountError for a bad count, PageRangeError if the range is not
   * page-aligned or not inside one grown range, and PageDoubleFreeError if
   * any of its pages is already free; nothing changes then. Caller must hold
   * the mheap lock.
   */
  free(base: number, npages: number): void {
    const g = this.g;
    if (!Number.isInteger(npages) || npages < 1) throw new PageCountError(npages);
    const ob = base + g.arenaBaseOffsetAdd;
    const bytes = npages * g.pageSize;
    if (!Number.isInteger(base) || Math.floor(ob / g.pageSize) * g.pageSize !== ob) {
      throw new PageRangeError(base, bytes, "not page-aligned");
    }
    const r = this.inUse.findSucc(ob) - 1;
    if (r < 0 || ob >= this.inUse.limit(r) || ob + bytes > this.inUse.limit(r)) {
      throw new PageRangeError(base, bytes, "not inside memory grown into the page allocator");
    }
    const inUsePages = this.countInUse(ob, npages);
    if (inUsePages !== npages) throw new PageDoubleFreeError(base, npages, npages - inUsePages);
    this.freeInUse(base, npages);
  }

  /**
   * {@link free} without its checks, for the heap, which frees only pages it
   * knows to be in use — an in-use span's, whose state it has checked (Go's
   * `pageAlloc.free` checks nothing either). `base` must be page-aligned and
   * all npages ≥ 1 pages in use. Caller must hold the mheap lock.
   */
  freeInUse(base: number, npages: number): void {
    const g = this.g;
    const ob = base + g.arenaBaseOffsetAdd;
    if (ob < this.searchAddr) this.searchAddr = ob;
    const limit = ob + npages * g.pageSize - 1;
    const cp = g.pallocChunkPages;
    if (npages === 1) {
      const i = g.chunkIndex(ob);
      const pi = g.chunkPageIndex(ob);
      this.chunkOf(i);
      this.pb.free1(pi);
      this.scavIndex.free(i, pi, 1);
    } else {
      const sc = g.chunkIndex(ob);
      const ec = g.chunkIndex(limit);
      const si = g.chunkPageIndex(ob);
      const ei = g.chunkPageIndex(limit);
      if (sc === ec) {
        this.chunkOf(sc);
        this.pb.free(si, ei + 1 - si);
        this.scavIndex.free(sc, si, ei + 1 - si);
      } else {
        this.chunkOf(sc);
        this.pb.free(si, cp - si);
        this.scavIndex.free(sc, si, cp - si);
        for (let c = sc + 1; c < ec; c++) {
          this.chunkOf(c);
          this.pb.freeAll();
          this.scavIndex.free(c, 0, cp);
        }
        this.chunkOf(ec);
        this.pb.free(0, ei + 1);
        this.scavIndex.free(ec, 0, ei + 1);
      }
    }
    this.update(ob, npages, true, false);
  }

  /** Pages in use among `[ob, ob + npages·pageSize)` (offset space, inside grown memory). */
  countInUse(ob: number, npages: number): number {
    const g = this.g;
    let n = 0;
    let p = ob;
    let left = npages;
    while (left > 0) {
      const ci = g.chunkIndex(p);
      const pi = g.chunkPageIndex(p);
      const k = Math.min(left, g.pallocChunkPages - pi);
      const off = this.chunkOf(ci);
      n += pageBitsPopcntRange(this.cu32, off, pi, k);
      left -= k;
      p += k * g.pageSize;
    }
    return n;
  }

  /**
   * Go's `pageAlloc.allocToCache`: fills the empty page cache `c` with the
   * 64-page block holding the first free page (left empty when there is no
   * free page). Caller must hold the mheap lock.
   */
  allocToCache(c: PageCache): void {
    allocToCache(this, c);
  }

  // -------------------------------------------------------------------------
  // Scavenging (the work is in mgcscavenge.ts, as in Go)

  /**
   * Go's `pageAlloc.scavenge`: releases about `nbytes` (Infinity = all) of
   * free, unscavenged memory, highest addresses first, and returns the bytes
   * released. Each released range goes to the `release` option (the heap's
   * sysUnused) and its pages are marked scavenged. `force` ignores the
   * density heuristics (Go's forced scavenge). Caller must hold the mheap lock.
   */
  scavenge(nbytes: number, force: boolean): number {
    return scavenge(this, nbytes, force);
  }

  /**
   * Go's `pageAlloc.scavengeOne`: scavenges one run of at most about `max`
   * bytes in chunk ci, searching down from page `searchIdx`. Returns the bytes
   * released (0 marks the chunk done for the scavenger).
   */
  scavengeOne(ci: number, searchIdx: number, max: number): number {
    return scavengeOne(this, ci, searchIdx, max);
  }

  /** Adds to the released-bytes counter (for scavengeOne). */
  addReleased(bytes: number): void {
    this.hv.f64[this.hf + H.released / 8] = this.released + bytes;
  }
}
