/**
 * The heap (Go's `mheap` in mheap.go): the record that ties the page
 * allocator, the span table, the arena map and the span classes' mcentrals
 * together, and the operations Go performs under `mheap_.lock` — growing the
 * heap in arena-sized steps (`grow`, `sysAlloc`), allocating and freeing spans
 * (`allocSpan`, `freeSpan`), the page→span map (`setSpans`, `spanOf`) and
 * the zeroing bookkeeping (`allocNeedsZero`). All state is a record in
 * managed memory plus the records it points to; `MHeap` is a handle that
 * caches views and re-derivable numbers, so a second handle attached to the
 * same memory sees the same heap. Inner-layer conventions: exhaustion returns
 * 0 (a span address of 0 is Go's nil) and leaves everything consistent.
 * See docs/design.md, "The heap".
 */
import type { Profile } from "@gomalloc/arch";
import { alignUp, hex, type MemView, Mutex, PageState, RuntimeThrow, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { FixAlloc, LinearAlloc } from "@gomalloc/persistent";
import { SizeClasses } from "@gomalloc/sizeclass";
import {
  F_elemsize,
  F_limit,
  F_manualFreeList,
  F_needzero,
  F_npages,
  F_spanclass,
  F_startAddr,
  F_state,
  MSpanTable,
  mSpanDead,
  mSpanInUse,
  SpanAlloc,
  type SpanAllocOptions,
} from "@gomalloc/span";
import { arenaHintBytes, placeArenaHints, sysAllocArena } from "./arenahints.js";
import { MHeapInitError } from "./errors.js";
import { arenaAlreadyInitialized, HeapArenaGeometry, l2CommitWholeBytes } from "./heaparena.js";
import { initCentral } from "./mcentral.js";
import { PageAlloc } from "./mpagealloc.js";
import type { PageAllocOptions } from "./mpagealloc_geometry.js";
import { type PageCache, pageCachePages } from "./mpagecache.js";
import { pageBitsSetRange } from "./mpallocbits.js";

// Record layout (byte offsets).
const R_MAGIC = 0;
const R_LOCK = 4;
const R_SWEEPGEN = 8;
const R_SWEEP_DONE = 12;
const R_SWEEP_INDEX = 16;
const R_VERSION = 20;
const R_HINTS = 24;
const R_CUR_BASE = 32;
const R_CUR_END = 40;
const R_L1 = 48;
const R_ARENA_LO = 56;
const R_ARENA_HI = 64;
const R_PAGES_IN_USE = 72;
const R_PAGEALLOC = 80;
const R_SPANALLOC = 88;
const R_CENTRAL = 96;
const R_ALL_ARENAS = 104;
const R_ALL_LEN = 112;
const R_ALL_CAP = 116;
const R_BLOCK_POOL = 120;
const R_SCAV_GOAL = 128;
const R_SCAV_FRACTION = 136;
const R_RELEASED = 144;
const R_GC_PERCENT = 152;
const R_NUM_CYCLES = 160;
const R_NUM_FORCED = 168;
const R_GEOM = 176; // u32 × 8: pageShift, heapArenaBytes/8192, arenaL1Bits, arenaL2Bits, numSpanClasses, tinySpanClass, pagesPerArena
const R_HINT_ALLOC = 208; // FixAlloc record (64)
const R_TINY_ALLOC = 272; // FixAlloc record (64)
const R_ARENA = 336; // LinearAlloc record (40): the 32-bit up-front arena reservation
/** Bytes of the mheap record. */
export const mheapRecordBytes = 384;
const MAGIC = 0x4145484d; // "MHEA"

/** Lock rank of the mheap lock (Go's lockRankMheap); os-mem's lock is a leaf above it. */
export const lockRankMheap = 20;
/** Lock rank of a span set's spine lock (Go's lockRankSpanSetSpine): taken before the heap lock. */
export const lockRankSpanSetSpine = 10;

/** Go's `tinySpanClass` spans carry a side table (see the runtime's tiny.ts); its address lives in this field. */
export const F_tinySide = F_manualFreeList;

/** Options of {@link MHeap.create}. */
export interface MHeapOptions {
  /** The platform: every constant comes from it (`@gomalloc/arch`). */
  profile: Profile;
  /** Size-class tables. @defaultValue the default tables (Go 1.19 and 1.26 have the same) */
  sizeClasses?: SizeClasses;
  /** Go's physHugePageSize after mallocinit's checks (0 = none). @defaultValue 0 */
  physHugePageSize?: number;
  /**
   * Where the span table and the heap's metadata live.
   * @defaultValue `{ source: "reserve" }` on the simulated backend, `{ source: "sysAlloc" }` on flat ones
   */
  spanTable?: SpanAllocOptions;
  /** Place mallocinit's arena hints (and on 32-bit profiles the up-front reservation). @defaultValue true */
  arenaHints?: boolean;
  /** Bytes per tiny side-table entry block (set by the runtime; 0 = tiny spans carry none). @defaultValue 0 */
  tinySideBytes?: number;
}

/**
 * A handle on the heap record. Invariants (checked by `checkMHeap`):
 * - MH1: every registered arena has a record in the arena map, and lo ≤ index ≤ hi.
 * - MH2: for every in-use span s and page p of s: `spans[p] = s`; the pageInUse
 *   bit is set exactly for the first page of each in-use span.
 * - MH3: pagesInUse = Σ npages of in-use spans; heapInUse = pagesInUse · pageSize.
 * - MH4: the pages the page allocator counts as allocated are exactly the pages
 *   of in-use spans plus the free pages held by page caches.
 * - MH5: heapInUse + heapFree + heapReleased = bytes grown into the page allocator,
 *   and heapReleased = scavenged free pages (plus scavenged page-cache pages).
 *
 * Caller must hold the mheap lock for the methods named `…Locked`.
 */
export class MHeap {
  readonly sys: SysMemory;
  readonly profile: Profile;
  /** Address of the heap record. */
  readonly rec: number;
  /** View over the record and every hot record (span table, heapArena records, mcaches...). */
  readonly v: MemView;
  readonly geom: HeapArenaGeometry;
  readonly sizeClasses: SizeClasses;
  readonly spanAlloc: SpanAlloc;
  /** The span records and bitmaps. */
  readonly spans: MSpanTable;
  /** Go's `mheap_.pages`. */
  readonly pages: PageAlloc;
  /** Go's `arenaHintAlloc`. */
  readonly arenaHintAlloc: FixAlloc;
  /** Allocator of tiny side tables (`tinySideBytes` each), when the runtime asked for them. */
  readonly tinyAlloc: FixAlloc | null;
  /** Go's `mheap_.lock`. */
  readonly mutex: Mutex;
  /** Go's physPageSize. */
  readonly physPageSize: number;
  /** View over the L2 arena map when the profile has no L1 level (Go's `arenas[0]`). */
  l2v: MemView;
  /** f64 index in l2v of entry 0 of that L2 map (-1 while it does not exist). */
  l2w: number;
  /** Go's message for the last growth the backend refused (diagnostics only). */
  lastGrowFailure = "";

  private constructor(sys: SysMemory, profile: Profile, rec: number, sc: SizeClasses, physHugePageSize: number) {
    this.sys = sys;
    this.profile = profile;
    this.rec = rec;
    const v = sys.viewOf(rec);
    this.v = v;
    this.geom = new HeapArenaGeometry(profile);
    this.sizeClasses = sc;
    this.physPageSize = sys.physPageSize;
    this.spanAlloc = SpanAlloc.attach(sys, this.f64(R_SPANALLOC));
    if (this.spanAlloc.view !== v) throw new MHeapInitError("the heap record must lie in the span table's view");
    this.spans = new MSpanTable(this.spanAlloc, profile._PageShift);
    this.pages = PageAlloc.attach(sys, pageAllocOptions(this, profile, physHugePageSize), this.f64(R_PAGEALLOC));
    this.arenaHintAlloc = FixAlloc.attach(sys, rec + R_HINT_ALLOC);
    this.tinyAlloc = v.getU32(rec + R_TINY_ALLOC + 56) === 0 ? null : FixAlloc.attach(sys, rec + R_TINY_ALLOC);
    this.mutex = new Mutex(v.i32, (rec - v.base + R_LOCK) / 4, { name: "mheap", rank: lockRankMheap });
    this.l2v = v;
    this.l2w = -1;
    this.refreshL2();
  }

  /**
   * Go's `mheap.init` (and mallocinit's hint placement): creates the span
   * table and metadata memory, the heap record in it, the page allocator and
   * the arena map, on `sys`. Throws MHeapInitError (releasing nothing it
   * cannot: metadata memory stays charged) if the backend refuses.
   */
  static create(sys: SysMemory, opts: MHeapOptions): MHeap {
    const profile = opts.profile;
    const sc = opts.sizeClasses ?? SizeClasses.defaults;
    const geom = new HeapArenaGeometry(profile);
    const flat = sys.caps.backend !== "simulated";
    let spanAlloc: SpanAlloc;
    try {
      spanAlloc = SpanAlloc.create(sys, opts.spanTable ?? { source: flat ? "sysAlloc" : "reserve" });
    } catch (e) {
      throw new MHeapInitError(`span table: ${(e as Error).message}`);
    }
    const rec = spanAlloc.allocMeta(mheapRecordBytes, 8, SysStat.gcMiscSys);
    if (rec === 0) throw new MHeapInitError("no memory for the heap record");
    const v = spanAlloc.view;
    const r = (off: number, x: number) => v.setF64(rec + off, x);
    const u = (off: number, x: number) => v.setU32(rec + off, x);
    u(R_SWEEPGEN, 0);
    u(R_SWEEP_DONE, 1);
    u(R_VERSION, profile.goVersion === "1.19" ? 119 : 126);
    r(R_ARENA_LO, Number.POSITIVE_INFINITY);
    r(R_ARENA_HI, -1);
    r(R_SPANALLOC, spanAlloc.header);
    r(R_SCAV_GOAL, Number.POSITIVE_INFINITY);
    r(R_SCAV_FRACTION, 0);
    r(R_GC_PERCENT, 100);
    u(R_GEOM, profile._PageShift);
    u(R_GEOM + 4, geom.heapArenaBytes / 8192);
    u(R_GEOM + 8, geom.arenaL1Bits);
    u(R_GEOM + 12, geom.arenaL2Bits);
    u(R_GEOM + 16, sc.numSpanClasses);
    u(R_GEOM + 20, sc.tinySpanClass);
    u(R_GEOM + 24, geom.pagesPerArena);
    // The L1 map (2^arenaL1Bits entries), zeroed.
    const l1 = spanAlloc.allocMeta(8 * 2 ** geom.arenaL1Bits, 8, SysStat.gcMiscSys);
    if (l1 === 0) throw new MHeapInitError("no memory for the arena map");
    r(R_L1, l1);
    FixAlloc.init(sys, rec + R_HINT_ALLOC, arenaHintBytes, spanAlloc.palloc, SysStat.other_sys);
    const tinySide = opts.tinySideBytes ?? 0;
    if (tinySide > 0) FixAlloc.init(sys, rec + R_TINY_ALLOC, tinySide, spanAlloc.palloc, SysStat.gcMiscSys);
    const physHuge = opts.physHugePageSize ?? 0;
    const pa = PageAlloc.create(sys, pageAllocOptions(null, profile, physHuge));
    r(R_PAGEALLOC, pa.header);
    u(R_MAGIC, MAGIC);
    const h = new MHeap(sys, profile, rec, sc, physHuge);
    if (geom.arenaL1Bits === 0 && !h.newL2(0)) throw new MHeapInitError("no memory for the arena map");
    h.refreshL2();
    if (!initCentral(h)) throw new MHeapInitError("no memory for the mcentral records");
    if (opts.arenaHints !== false) placeArenaHints(h);
    return h;
  }

  /** A handle on the heap record at `rec` (in this or another worker). `profile` must be the one it was made with. */
  static attach(
    sys: SysMemory,
    rec: number,
    profile: Profile,
    opts: { sizeClasses?: SizeClasses; physHugePageSize?: number } = {},
  ): MHeap {
    const v = sys.viewOf(rec);
    if (v.getU32(rec + R_MAGIC) !== MAGIC) throw new MHeapInitError(`no heap record at 0x${rec.toString(16)}`);
    const geom = new HeapArenaGeometry(profile);
    if (
      v.getU32(rec + R_GEOM) !== profile._PageShift ||
      v.getU32(rec + R_GEOM + 4) !== geom.heapArenaBytes / 8192 ||
      v.getU32(rec + R_GEOM + 8) !== geom.arenaL1Bits ||
      v.getU32(rec + R_GEOM + 12) !== geom.arenaL2Bits
    ) {
      throw new MHeapInitError(`the heap at 0x${rec.toString(16)} was made with another profile than ${profile.pair}`);
    }
    return new MHeap(sys, profile, rec, opts.sizeClasses ?? SizeClasses.defaults, opts.physHugePageSize ?? 0);
  }

  // ---- record fields ------------------------------------------------------------------------

  /** Reads an f64 field of the record. */
  f64(off: number): number {
    return this.v.f64[(this.rec - this.v.base + off) / 8]!;
  }
  /** Writes an f64 field of the record. */
  setF64(off: number, x: number): void {
    this.v.f64[(this.rec - this.v.base + off) / 8] = x;
  }
  /** Reads a u32 field of the record. */
  u32(off: number): number {
    return this.v.u32[(this.rec - this.v.base + off) / 4]!;
  }
  /** Writes a u32 field of the record. */
  setU32(off: number, x: number): void {
    this.v.u32[(this.rec - this.v.base + off) / 4] = x >>> 0;
  }

  /** Go's `mheap_.sweepgen`. */
  get sweepgen(): number {
    return this.u32(R_SWEEPGEN);
  }
  set sweepgen(g: number) {
    this.setU32(R_SWEEPGEN, g);
  }
  /** Go's `pagesInUse`: pages in in-use spans. */
  get pagesInUse(): number {
    return this.f64(R_PAGES_IN_USE);
  }
  /** Go's `curArena`: the unused rest of the last arena reservation, `[base, end)`. */
  get curArenaBase(): number {
    return this.f64(R_CUR_BASE);
  }
  get curArenaEnd(): number {
    return this.f64(R_CUR_END);
  }
  /** Head of the arena hint list (0 = none). */
  get arenaHints(): number {
    return this.f64(R_HINTS);
  }
  set arenaHints(h: number) {
    this.setF64(R_HINTS, h);
  }
  /** f64 index in {@link v} of `arenaLo` (`arenaHi` follows it): for inlined spanOf. */
  get arenaLoIndex(): number {
    return (this.rec - this.v.base + R_ARENA_LO) / 8;
  }
  /** Lowest and highest arena index registered in the arena map (Infinity and -1 before the first). */
  get arenaLo(): number {
    return this.f64(R_ARENA_LO);
  }
  get arenaHi(): number {
    return this.f64(R_ARENA_HI);
  }
  /** Go's `heapArenas`: the indexes of every registered arena, in registration order. */
  allArenas(): number[] {
    const a = this.f64(R_ALL_ARENAS);
    const n = this.u32(R_ALL_LEN);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.v.getF64(a + 8 * i));
    return out;
  }
  /** The 32-bit up-front arena reservation (Go's `mheap_.arena`), or null. */
  arenaLinear(): LinearAlloc | null {
    return this.v.getU32(this.rec + R_ARENA + 36) === 0 ? null : LinearAlloc.attach(this.sys, this.rec + R_ARENA);
  }
  /** Creates the 32-bit up-front reservation record over `[base, base+size)` (mallocinit). */
  initArenaLinear(base: number, size: number): LinearAlloc {
    return LinearAlloc.init(this.sys, this.rec + R_ARENA, base, size, false);
  }
  /** Numbers the runtime keeps in the heap record (free-cycle and scavenger settings). */
  getField(name: MHeapField): number {
    return this.f64(mheapFieldOffsets[name]);
  }
  setField(name: MHeapField, x: number): void {
    this.setF64(mheapFieldOffsets[name], x);
  }
  /** u32 fields used by mgcsweep.ts. */
  get sweepDone(): boolean {
    return this.u32(R_SWEEP_DONE) !== 0;
  }
  set sweepDone(on: boolean) {
    this.setU32(R_SWEEP_DONE, on ? 1 : 0);
  }
  get sweepCentralIndex(): number {
    return this.u32(R_SWEEP_INDEX);
  }
  set sweepCentralIndex(i: number) {
    this.setU32(R_SWEEP_INDEX, i);
  }

  // ---- the lock -------------------------------------------------------------------------------

  /** Takes Go's `mheap_.lock`. */
  lock(): void {
    const m = this.mutex;
    m.i32 = this.v.i32; // a non-shared wasm memory replaces its arrays on growth
    m.lock();
  }
  /** Releases Go's `mheap_.lock`. */
  unlock(): void {
    const m = this.mutex;
    m.i32 = this.v.i32;
    m.unlock();
  }

  // ---- arena map ------------------------------------------------------------------------------

  /** Address of the L2 map for L1 index l1, or 0. */
  l2Of(l1: number): number {
    return this.v.getF64(this.f64(R_L1) + 8 * l1);
  }

  private refreshL2(): void {
    if (this.geom.arenaL1Bits !== 0) return;
    const a = this.l2Of(0);
    if (a === 0) return;
    const lv = this.sys.viewOf(a);
    this.l2v = lv;
    this.l2w = ((a - lv.base) / 8) | 0; // a small index, kept int32 for the inlined spanOf
  }

  /** Allocates the L2 map of L1 entry l1 (Go's sysAllocOS of `[1 << arenaL2Bits]*heapArena`). False if refused. */
  private newL2(l1: number): boolean {
    const g = this.geom;
    const bytes = g.l2Bytes;
    let a: number;
    if (bytes <= l2CommitWholeBytes) {
      a = this.spanAlloc.allocMeta(bytes, 8, SysStat.gcMiscSys);
    } else {
      a = this.sys.sysReserve(0, alignUp(bytes, this.physPageSize));
    }
    if (a === 0) return false;
    this.v.setF64(this.f64(R_L1) + 8 * l1, a);
    return true;
  }

  /** Commits the page of a demand-paged L2 map that holds entry `l2` (a no-op for maps committed whole). */
  private commitL2Entry(l2map: number, l2: number): boolean {
    if (this.geom.l2Bytes <= l2CommitWholeBytes) return true;
    const pps = this.physPageSize;
    const page = Math.floor((l2map + 8 * l2) / pps) * pps;
    const st = this.sys.pageState(page);
    if (st === PageState.Ready) return true;
    if (st === PageState.Reserved && !this.sys.sysMap(page, pps, SysStat.gcMiscSys)) return false;
    if (!this.sys.sysUsed(page, pps, pps)) {
      this.sys.sysUnmap(page, pps, SysStat.gcMiscSys);
      return false;
    }
    return true;
  }

  /** The heapArena record of arena index ai, or 0 (Go's `arenas[ai.l1()][ai.l2()]`). */
  arenaRecord(ai: number): number {
    const g = this.geom;
    if (!(ai >= this.arenaLo && ai <= this.arenaHi)) return 0;
    const l2map = this.l2Of(g.l1(ai));
    if (l2map === 0) return 0;
    return this.sys.viewOf(l2map).getF64(l2map + 8 * g.l2(ai));
  }

  /**
   * Registers arenas `[v, v+size)` in the arena map (the second half of Go's
   * `mheap.sysAlloc`): an L2 map where missing, a heapArena record per arena,
   * an entry in allArenas. Returns false, registering nothing new that could
   * be observed, if metadata memory is refused. Caller must hold the mheap lock.
   */
  registerArenas(v: number, size: number): boolean {
    const g = this.geom;
    const a0 = g.arenaIndex(v);
    const a1 = g.arenaIndex(v + size - 1);
    const recs: number[] = [];
    // Secure everything first: L2 maps, their pages, records, the allArenas array.
    for (let ri = a0; ri <= a1; ri++) {
      const l1 = g.l1(ri);
      if (this.l2Of(l1) === 0 && !this.newL2(l1)) return false;
      const l2map = this.l2Of(l1);
      if (!this.commitL2Entry(l2map, g.l2(ri))) return false;
      if (this.sys.viewOf(l2map).getF64(l2map + 8 * g.l2(ri)) !== 0) arenaAlreadyInitialized();
      const r = this.spanAlloc.allocMeta(g.recordBytes, 8, SysStat.gcMiscSys);
      if (r === 0) return false;
      recs.push(r);
    }
    let len = this.u32(R_ALL_LEN);
    const cap = this.u32(R_ALL_CAP);
    if (len + recs.length > cap) {
      let ncap = Math.max(cap * 2, this.physPageSize / 8);
      while (ncap < len + recs.length) ncap *= 2;
      const na = this.spanAlloc.allocMeta(ncap * 8, 8, SysStat.gcMiscSys);
      if (na === 0) return false;
      const old = this.f64(R_ALL_ARENAS);
      for (let i = 0; i < len; i++) this.v.setF64(na + 8 * i, this.v.getF64(old + 8 * i));
      this.setF64(R_ALL_ARENAS, na);
      this.setU32(R_ALL_CAP, ncap);
    }
    const all = this.f64(R_ALL_ARENAS);
    for (let ri = a0; ri <= a1; ri++) {
      const l2map = this.l2Of(g.l1(ri));
      this.v.setF64(all + 8 * len++, ri);
      this.sys.viewOf(l2map).setF64(l2map + 8 * g.l2(ri), recs[ri - a0]!);
    }
    this.setU32(R_ALL_LEN, len);
    if (a0 < this.arenaLo) this.setF64(R_ARENA_LO, a0);
    if (a1 > this.arenaHi) this.setF64(R_ARENA_HI, a1);
    this.refreshL2();
    return true;
  }

  /**
   * Go's `spanOf(p)`: the span record the arena map holds for p's page, or 0.
   * As in Go, for a page that is not in use this may be a dead span or one
   * that does not contain p; see {@link spanOfHeap}.
   */
  spanOf(p: number): number {
    const g = this.geom;
    const ai = Math.floor((p + g.arenaBaseOffsetAdd) / g.heapArenaBytes);
    if (!(ai >= this.arenaLo && ai <= this.arenaHi)) return 0;
    let ha: number;
    if (g.arenaL1Bits === 0) {
      ha = this.l2v.f64[this.l2w + ai]!;
    } else {
      ha = this.arenaRecord(ai);
    }
    if (ha === 0) return 0;
    return this.v.f64[
      (ha - this.v.base) / 8 + Math.floor((p + g.arenaBaseOffsetAdd) / g.pageSize) - ai * g.pagesPerArena
    ]!;
  }

  /** Go's `spanOfHeap(p)`: the in-use span containing p, or 0. */
  spanOfHeap(p: number): number {
    const s = this.spanOf(p);
    if (s === 0) return 0;
    const t = this.spans;
    if (t.state(s) !== mSpanInUse) return 0;
    const base = t.base(s);
    if (p < base || p >= base + t.npages(s) * this.geom.pageSize) return 0;
    return s;
  }

  /** Go's `setSpans`: points every page of `[base, base+npages·pageSize)` at span s. */
  setSpans(base: number, npages: number, s: number): void {
    const g = this.geom;
    const v = this.v;
    let p = base;
    let left = npages;
    while (left > 0) {
      const ha = this.arenaRecord(g.arenaIndex(p));
      if (ha === 0) throw new RuntimeThrow("setSpans: address not in a registered arena");
      const i = g.pageIndex(p);
      const k = Math.min(left, g.pagesPerArena - i);
      v.f64.fill(s, (ha - v.base) / 8 + i, (ha - v.base) / 8 + i + k);
      left -= k;
      p += k * g.pageSize;
    }
  }

  /** Sets or clears the bit of page p in bitmap `off` of its heapArena record. */
  private pageBit(p: number, off: number, on: boolean): void {
    const g = this.geom;
    const ha = this.arenaRecord(g.arenaIndex(p));
    const i = g.pageIndex(p);
    const a = ha + off + (i >>> 3) - this.v.base;
    const m = 1 << (i & 7);
    if (this.v.shared) {
      if (on) Atomics.or(this.v.u8, a, m);
      else Atomics.and(this.v.u8, a, ~m & 0xff);
    } else if (on) {
      this.v.u8[a]! |= m;
    } else {
      this.v.u8[a]! &= ~m;
    }
  }

  /** Go's `pageInUse` bit of page p (set for the first page of each in-use span). */
  pageInUse(p: number): boolean {
    const g = this.geom;
    const ha = this.arenaRecord(g.arenaIndex(p));
    if (ha === 0) return false;
    const i = g.pageIndex(p);
    return ((this.v.u8[ha + g.offPageInUse + (i >>> 3) - this.v.base]! >>> (i & 7)) & 1) !== 0;
  }

  /**
   * Whether page p is the base of a span that was freed and whose pages have
   * not been handed out since (ours, for telling a double free of a large
   * object from a pointer into free memory).
   */
  freedSpanBase(p: number): boolean {
    const g = this.geom;
    const ha = this.arenaRecord(g.arenaIndex(p));
    if (ha === 0) return false;
    const i = g.pageIndex(p);
    return ((this.v.u8[ha + g.offFreedBase + (i >>> 3) - this.v.base]! >>> (i & 7)) & 1) !== 0;
  }

  /**
   * Go's `allocNeedsZero`: whether `[base, base+npage·pageSize)` may hold
   * dirty bytes (it lies below its arena's zeroedBase), advancing zeroedBase
   * past it. Caller owns the pages.
   */
  allocNeedsZero(base: number, npage: number): boolean {
    const g = this.geom;
    const v = this.v;
    let needZero = false;
    while (npage > 0) {
      const ai = g.arenaIndex(base);
      const ha = this.arenaRecord(ai);
      const zi = (ha - v.base + g.offZeroedBase) / 8;
      const zeroedBase = v.f64[zi]!;
      const arenaBase = base - g.arenaBase(ai);
      if (arenaBase < zeroedBase) needZero = true;
      const arenaLimit = Math.min(arenaBase + npage * g.pageSize, g.heapArenaBytes);
      if (arenaLimit > zeroedBase) v.f64[zi] = arenaLimit;
      base += arenaLimit - arenaBase;
      npage -= (arenaLimit - arenaBase) / g.pageSize;
    }
    return needZero;
  }

  /** The zeroedBase of arena ai (bytes from the arena's start), or -1 if it is not registered. */
  zeroedBase(ai: number): number {
    const ha = this.arenaRecord(ai);
    return ha === 0 ? -1 : this.v.getF64(ha + this.geom.offZeroedBase);
  }

  // ---- growing ---------------------------------------------------------------------------------

  /**
   * Go's `mheap.grow`: adds at least npage pages to the page allocator, taking
   * address space from the current arena reservation or a new one
   * (`sysAlloc`), moving what it hands over Reserved→Prepared (counted as
   * released). Returns the bytes added, or -1 if the backend refused (nothing
   * changes then). Caller must hold the mheap lock.
   */
  growLocked(npage: number): number {
    const g = this.geom;
    const pg = this.pages.g;
    const ask = alignUp(npage, pg.pallocChunkPages) * g.pageSize;
    const pps = this.physPageSize;
    let totalGrowth = 0;
    let curBase = this.curArenaBase;
    let curEnd = this.curArenaEnd;
    const end = curBase + ask;
    let nBase = alignUp(end, pps);
    if (nBase > curEnd) {
      const [av, asize] = sysAllocArena(this, ask);
      if (av === 0) {
        const inUse =
          this.sys.statLoad(SysStat.heapFree) +
          this.sys.statLoad(SysStat.heapReleased) +
          this.sys.statLoad(SysStat.heapInUse);
        this.lastGrowFailure = `runtime: out of memory: cannot allocate ${ask}-byte block (${inUse} in use)`;
        return -1;
      }
      if (av === curEnd) {
        curEnd = av + asize;
      } else {
        // Hand the rest of the old reservation over before switching.
        if (curEnd - curBase !== 0) {
          if (!this.mapAndGrow(curBase, curEnd - curBase)) {
            // The new arenas stay registered and reserved and become current; only
            // the old reservation's rest (address space, no memory) is given up.
            this.setF64(R_CUR_BASE, av);
            this.setF64(R_CUR_END, av + asize);
            return -1;
          }
          totalGrowth += curEnd - curBase;
        }
        curBase = av;
        curEnd = av + asize;
      }
      this.setF64(R_CUR_BASE, curBase);
      this.setF64(R_CUR_END, curEnd);
      nBase = alignUp(curBase + ask, pps);
    }
    if (!this.mapAndGrow(curBase, nBase - curBase)) return -1;
    this.setF64(R_CUR_BASE, nBase);
    return totalGrowth + nBase - curBase;
  }

  /** sysMap `[v, v+size)` as released heap memory and grow the page allocator over it; false (undone) if refused. */
  private mapAndGrow(v: number, size: number): boolean {
    if (!this.sys.sysMap(v, size, SysStat.heapReleased)) {
      this.lastGrowFailure = `runtime: out of memory: cannot map ${size} bytes of heap at ${hex(v)}`;
      return false;
    }
    try {
      this.pages.grow(v, size);
    } catch (e) {
      this.sys.sysUnmap(v, size, SysStat.heapReleased);
      if ((e as { _tag?: string })._tag === "PageAllocOutOfMemoryError") {
        this.lastGrowFailure = (e as Error).message;
        return false;
      }
      throw e;
    }
    return true;
  }

  // ---- spans -----------------------------------------------------------------------------------

  /**
   * Go's `mheap.allocSpan` for heap spans: npages pages (from the P's page
   * cache `pc` for small counts, else the page allocator), growing the heap
   * if `mayGrow`, as a span of class `spanclass` with its record, bitmaps,
   * page map and statistics. Returns the span, or 0 when memory is exhausted
   * (or would need growth and `mayGrow` is false); nothing changes then.
   */
  allocSpan(npages: number, spanclass: number, pc: PageCache | null, mayGrow: boolean): number {
    const g = this.geom;
    let base = 0;
    let scav = 0;
    let growth = 0;
    if (pc !== null && npages < pageCachePages / 4) {
      if (pc.empty()) {
        this.lock();
        try {
          this.pages.allocToCache(pc);
        } finally {
          this.unlock();
        }
      }
      base = pc.alloc(npages);
      scav = pc.scav;
    }
    this.lock();
    try {
      if (base === 0) {
        base = this.pages.alloc(npages);
        scav = this.pages.scav;
        if (base === 0) {
          if (!mayGrow) return 0;
          growth = this.growLocked(npages);
          if (growth < 0) return 0;
          base = this.pages.alloc(npages);
          scav = this.pages.scav;
          if (base === 0) throw new RuntimeThrow("grew heap, but no adequate free space found");
        }
      }
      const nbytes = npages * g.pageSize;
      if (scav !== 0 && !this.sys.sysUsed(base, nbytes, scav)) {
        this.unallocPagesLocked(base, npages, scav, false);
        return 0;
      }
      const s = this.spans.allocSpan();
      if (s === 0 || !this.initSpanLocked(s, spanclass, base, npages, scav)) {
        if (s !== 0) this.spans.freeSpan(s);
        this.unallocPagesLocked(base, npages, scav, true);
        return 0;
      }
      if (scav !== 0) this.sys.statAdd(SysStat.heapReleased, -scav);
      this.sys.statAdd(SysStat.heapFree, -(nbytes - scav));
      this.sys.statAdd(SysStat.heapInUse, nbytes);
      if (growth > 0) this.scavengeAfterGrowthLocked(growth);
      return s;
    } finally {
      this.unlock();
    }
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
  private unallocPagesLocked(base: number, npages: number, scav: number, used: boolean): void {
    const p = this.pages;
    const pg = p.g;
    const nbytes = npages * pg.pageSize;
    p.free(base, npages);
    if (used) {
      this.sys.statAdd(SysStat.heapReleased, -scav);
      this.sys.statAdd(SysStat.heapFree, scav);
      return;
    }
    for (let i = 0; i < npages; i++) {
      const ob = base + i * pg.pageSize + pg.arenaBaseOffsetAdd;
      const off = p.chunkOf(pg.chunkIndex(ob));
      pageBitsSetRange(p.cu32, off + p.pb.scavOff, pg.chunkPageIndex(ob), 1);
    }
    this.sys.statAdd(SysStat.heapReleased, nbytes - scav);
    this.sys.statAdd(SysStat.heapFree, -(nbytes - scav));
  }

  /** Go's `mheap.initSpan` for heap spans; false (s untouched beyond init) if no bitmap memory is left. */
  private initSpanLocked(s: number, spanclass: number, base: number, npages: number, scav: number): boolean {
    const t = this.spans;
    const g = this.geom;
    t.init(s, base, npages);
    const sizeclass = spanclass >>> 1;
    const sc = this.sizeClasses;
    const needZero = this.allocNeedsZero(base, npages);
    const needzero = scav !== npages * g.pageSize && needZero;
    const ok =
      sizeclass === 0
        ? t.initSpan(s, spanclass, 0, 0, needzero, this.sweepgen)
        : t.initSpan(
            s,
            spanclass,
            sc.class_to_size[sizeclass]!,
            sc.class_to_divmagic[sizeclass]!,
            needzero,
            this.sweepgen,
          );
    if (!ok) return false;
    if (spanclass === this.sizeClasses.tinySpanClass && this.tinyAlloc !== null) {
      const side = this.tinyAlloc.alloc();
      if (side === 0) {
        t.init(s, 0, 0);
        return false;
      }
      t.setF64(s, F_tinySide, side);
    }
    this.setSpans(base, npages, s);
    for (let i = 0; i < npages; i++) this.pageBit(base + i * g.pageSize, g.offFreedBase, false);
    this.pageBit(base, g.offPageInUse, true);
    this.setF64(R_PAGES_IN_USE, this.pagesInUse + npages);
    return true;
  }

  /**
   * Go's `mheap.freeSpan` (freeSpanLocked under the lock): returns an in-use
   * span whose objects are all free to the page allocator and its record to
   * spanalloc. Throws Go's "mheap.freeSpanLocked - invalid free" for a span
   * that still holds objects or is not swept.
   */
  freeSpan(s: number): void {
    this.lock();
    try {
      this.freeSpanLocked(s);
    } finally {
      this.unlock();
    }
  }

  /** Go's `freeSpanLocked`. Caller must hold the mheap lock. */
  freeSpanLocked(s: number): void {
    const t = this.spans;
    const g = this.geom;
    if (t.state(s) !== mSpanInUse) throw new RuntimeThrow("mheap.freeSpanLocked - invalid span state");
    if (t.allocCount(s) !== 0 || (t.sweepgen(s) !== this.sweepgen && t.spanclass(s) >>> 1 !== 0)) {
      throw new RuntimeThrow("mheap.freeSpanLocked - invalid free");
    }
    const base = t.base(s);
    const npages = t.npages(s);
    this.setF64(R_PAGES_IN_USE, this.pagesInUse - npages);
    this.pageBit(base, g.offPageInUse, false);
    this.pageBit(base, g.offFreedBase, true);
    const nbytes = npages * g.pageSize;
    this.sys.statAdd(SysStat.heapFree, nbytes);
    this.sys.statAdd(SysStat.heapInUse, -nbytes);
    this.pages.free(base, npages);
    const side = t.getF64(s, F_tinySide);
    if (side !== 0 && t.spanclass(s) === this.sizeClasses.tinySpanClass && this.tinyAlloc !== null) {
      this.tinyAlloc.free(side);
    }
    t.setState(s, mSpanDead);
    t.init(s, 0, 0);
    t.freeSpan(s);
  }

  /**
   * Grows the large-object span s in place to npages pages if the pages right
   * after it are free and grown (realloc's fast case): takes them from the
   * page allocator (sysUsed where scavenged), maps them to s and updates its
   * geometry and the statistics. Returns false, changing nothing, otherwise.
   */
  growSpan(s: number, npages: number): boolean {
    const t = this.spans;
    const g = this.geom;
    const have = t.npages(s);
    const extra = npages - have;
    if (extra <= 0) return extra === 0;
    const from = t.base(s) + have * g.pageSize;
    this.lock();
    try {
      const p = this.pages;
      const ob = from + p.g.arenaBaseOffsetAdd;
      const r = p.inUse.findSucc(ob) - 1;
      if (r < 0 || ob + extra * g.pageSize > p.inUse.limit(r)) return false;
      if (p.countInUse(ob, extra) !== 0) return false;
      const scav = p.allocRange(ob, extra);
      const nbytes = extra * g.pageSize;
      if (scav !== 0 && !this.sys.sysUsed(from, nbytes, scav)) {
        this.unallocPagesLocked(from, extra, scav, false);
        return false;
      }
      if (this.allocNeedsZero(from, extra)) t.setU8(s, F_needzero, 1);
      this.setSpans(from, extra, s);
      for (let i = 0; i < extra; i++) this.pageBit(from + i * g.pageSize, g.offFreedBase, false);
      t.setF64(s, F_npages, npages);
      t.setF64(s, F_elemsize, npages * g.pageSize);
      t.setF64(s, F_limit, t.base(s) + npages * g.pageSize);
      this.setF64(R_PAGES_IN_USE, this.pagesInUse + extra);
      if (scav !== 0) this.sys.statAdd(SysStat.heapReleased, -scav);
      this.sys.statAdd(SysStat.heapFree, -(nbytes - scav));
      this.sys.statAdd(SysStat.heapInUse, nbytes);
      return true;
    } finally {
      this.unlock();
    }
  }

  /** Shrinks the large-object span s in place to npages (≥ 1) pages, freeing its tail pages. */
  shrinkSpan(s: number, npages: number): void {
    const t = this.spans;
    const g = this.geom;
    const have = t.npages(s);
    if (!(npages >= 1 && npages < have)) throw new RuntimeThrow("shrinkSpan: bad page count");
    const tail = t.base(s) + npages * g.pageSize;
    const nbytes = (have - npages) * g.pageSize;
    this.lock();
    try {
      t.setF64(s, F_npages, npages);
      t.setF64(s, F_elemsize, npages * g.pageSize);
      t.setF64(s, F_limit, t.base(s) + npages * g.pageSize);
      this.setF64(R_PAGES_IN_USE, this.pagesInUse - (have - npages));
      this.sys.statAdd(SysStat.heapFree, nbytes);
      this.sys.statAdd(SysStat.heapInUse, -nbytes);
      this.pages.free(tail, have - npages);
    } finally {
      this.unlock();
    }
  }

  /**
   * Flushes a P's page cache back to the page allocator (Go does this when a
   * P is destroyed). Caller must not hold the mheap lock.
   */
  flushPageCache(pc: PageCache): void {
    this.lock();
    try {
      pc.flush(this.pages);
    } finally {
      this.unlock();
    }
  }

  // ---- scavenging -------------------------------------------------------------------------------

  /** Go's `heapRetained`: heapInUse + heapFree (mapped heap memory not released). */
  heapRetained(): number {
    return this.sys.statLoad(SysStat.heapInUse) + this.sys.statLoad(SysStat.heapFree);
  }

  /**
   * The retained-bytes goal now (Infinity when there is none). `heapGoal` is
   * the heap goal for a goal relative to it (Go's default); callers that do not
   * know it pass Infinity.
   */
  scavengeGoal(heapGoal = Number.POSITIVE_INFINITY): number {
    const kind = this.f64(R_SCAV_FRACTION);
    const x = this.f64(R_SCAV_GOAL);
    if (kind === 1) return Math.ceil(this.sys.statLoad(SysStat.heapInUse) * (1 + x));
    if (kind === 2) return heapGoal === Number.POSITIVE_INFINITY ? heapGoal : Math.ceil(heapGoal * (1 + x));
    return x;
  }

  /** Which kind of goal is set: 0 absolute, 1 relative to the in-use heap, 2 relative to the heap goal. */
  get scavengeGoalKind(): number {
    return this.f64(R_SCAV_FRACTION);
  }

  /**
   * Sets the scavenger's goal: keep at most `retainedBytes` of heap memory
   * mapped (in-use plus free), at most `(1 + fraction)` times the in-use
   * heap, or — Go's default, with fraction retainExtraPercent/100 — at most
   * `(1 + heapGoalFraction)` times the heap goal. Infinity turns it off.
   */
  setScavengeGoal(goal: { retainedBytes: number } | { fraction: number } | { heapGoalFraction: number }): void {
    if ("fraction" in goal) {
      this.setF64(R_SCAV_FRACTION, 1);
      this.setF64(R_SCAV_GOAL, goal.fraction);
    } else if ("heapGoalFraction" in goal) {
      this.setF64(R_SCAV_FRACTION, 2);
      this.setF64(R_SCAV_GOAL, goal.heapGoalFraction);
    } else {
      this.setF64(R_SCAV_FRACTION, 0);
      this.setF64(R_SCAV_GOAL, goal.retainedBytes);
    }
  }

  /** Bytes released to the backend by the scavenger so far. */
  get released(): number {
    return this.f64(R_RELEASED);
  }

  /**
   * Releases about `nbytes` of free memory: Go's scavenger run synchronously,
   * first with its density heuristics, then — if that released too little and
   * `forceRest` — forced (what Go's background scavenger would reach over
   * time). Returns the bytes released. Caller must hold the mheap lock.
   */
  scavengeLocked(nbytes: number, forceRest: boolean): number {
    if (!(nbytes > 0)) return 0;
    let got = this.pages.scavenge(nbytes, false);
    if (got < nbytes && forceRest) got += this.pages.scavenge(nbytes - got, true);
    return got;
  }

  /** Go's allocSpan scavenge assist after growth: keep retained + growth under the goal. */
  private scavengeAfterGrowthLocked(growth: number): void {
    const goal = this.scavengeGoal();
    if (goal === Number.POSITIVE_INFINITY) return;
    const retained = this.heapRetained();
    if (retained > goal) this.scavengeLocked(Math.min(growth, retained - goal), true);
  }

  /** The page allocator's release hook: Go's sysUnused plus the released/free statistics. */
  releasePages(addr: number, bytes: number): void {
    this.sys.sysUnused(addr, bytes);
    this.sys.statAdd(SysStat.heapReleased, bytes);
    this.sys.statAdd(SysStat.heapFree, -bytes);
    this.setF64(R_RELEASED, this.released + bytes);
  }

  /** Span class → (size, pages) helpers for the layers above. */
  classSize(spanclass: number): number {
    return this.sizeClasses.class_to_size[spanclass >>> 1]!;
  }
  classNPages(spanclass: number): number {
    return this.sizeClasses.class_to_allocnpages[spanclass >>> 1]!;
  }

  /** Span record fields the sweeper and the runtime read (cheap accessors). */
  spanBase(s: number): number {
    return this.spans.getF64(s, F_startAddr);
  }
  spanNPages(s: number): number {
    return this.spans.getF64(s, F_npages);
  }
  spanClassOf(s: number): number {
    return this.spans.getU8(s, F_spanclass);
  }
  spanState(s: number): number {
    return this.spans.getU8(s, F_state);
  }
}

/** Numbers the heap record keeps for the runtime. */
export type MHeapField = "gcPercent" | "numCycles" | "numForced" | "blockPool" | "central";
const mheapFieldOffsets: Record<MHeapField, number> = {
  gcPercent: R_GC_PERCENT,
  numCycles: R_NUM_CYCLES,
  numForced: R_NUM_FORCED,
  blockPool: R_BLOCK_POOL,
  central: R_CENTRAL,
};

/** The page allocator's options for a profile; the release hook calls back into the heap. */
function pageAllocOptions(h: MHeap | null, p: Profile, physHugePageSize: number): PageAllocOptions {
  return {
    pageShift: p._PageShift,
    heapAddrBits: p.heapAddrBits,
    logPallocChunkPages: p.logPallocChunkPages,
    summaryLevels: p.summaryLevels,
    pallocChunksL1Bits: p.pallocChunksL1Bits,
    arenaBaseOffsetAdd: p.arenaBaseOffsetAdd,
    physHugePageSize,
    pageAlloc64Bit: p.pageAlloc64Bit,
    sysStat: SysStat.gcMiscSys,
    release: h === null ? undefined : (addr, bytes) => h.releasePages(addr, bytes),
  };
}
