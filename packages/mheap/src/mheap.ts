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
import { type MemView, Mutex, type SysMemory, SysStat } from "@gomalloc/os-mem";
import { FixAlloc, LinearAlloc } from "@gomalloc/persistent";
import { SizeClasses } from "@gomalloc/sizeclass";
import {
  F_aux,
  F_npages,
  F_spanclass,
  F_startAddr,
  F_state,
  MSpanTable,
  SpanAlloc,
  type SpanAllocOptions,
} from "@gomalloc/span";
import { arenaHintBytes, placeArenaHints } from "./arenahints.js";
import { MHeapInitError } from "./errors.js";
import {
  allocNeedsZero,
  arenaRecord,
  HeapArenaGeometry,
  newL2,
  pageBitOf,
  refreshL2,
  registerArenas,
  setSpans,
  spanOf,
  spanOfHeap,
} from "./heaparena.js";
import { initCentral } from "./mcentral.js";
import {
  heapRetained,
  releasePages,
  type ScavengeGoalSpec,
  scavengeGoal,
  scavengeLocked,
  setScavengeGoal,
} from "./mgcscavenge.js";
import { allocSpan, freeSpanLocked, growLocked, growSpan, shrinkSpan } from "./mheap_alloc.js";
import { PageAlloc } from "./mpagealloc.js";
import type { PageAllocOptions } from "./mpagealloc_geometry.js";
import type { PageCache } from "./mpagecache.js";

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
const R_GEOM = 176; // u32 × 8: pageShift, heapArenaBytes/8192, arenaL1Bits, arenaL2Bits, numSpanClasses, tinySideSpanClass, pagesPerArena
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

/**
 * Tiny-block spans carry a side table (see the runtime's tiny.ts); its u32
 * word index in the heap's view lives in this field (the span layer's
 * F_aux, in the record's first cache line: tiny malloc and free read it), 0 = none.
 */
export const F_tinySide = F_aux;

/** Options of {@link MHeap.create}. */
export interface MHeapOptions {
  /** The platform: every constant comes from it (`@gomalloc/arch`). */
  profile: Profile;
  /** Size-class tables. @defaultValue the default tables (Go 1.19 and 1.26 have the same) */
  sizeClasses?: SizeClasses;
  /** Go's physHugePageSize after mallocinit's checks (0 = none). @defaultValue 0 */
  physHugePageSize?: number;
  /**
   * Where the span table and the heap's metadata live (fields left out take
   * their defaults; the runtime sets `minBitmapBytes: 64` for a heap shared by several workers).
   * @defaultValue `{ source: "reserve" }` on the simulated backend, `{ source: "sysAlloc" }` on flat ones
   */
  spanTable?: SpanAllocOptions;
  /** Place mallocinit's arena hints (and on 32-bit profiles the up-front reservation). @defaultValue true */
  arenaHints?: boolean;
  /** Bytes per tiny side-table entry block (set by the runtime; 0 = tiny spans carry none). @defaultValue 0 */
  tinySideBytes?: number;
  /**
   * The span class whose spans carry a tiny side table (the runtime takes its
   * tiny blocks from the otherwise unused scan twin of Go's tinySpanClass).
   * @defaultValue the size classes' tinySpanClass
   */
  tinySideSpanClass?: number;
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
  /** @internal Span-set spine lock handles by set address (mspanset.ts). */
  readonly spineLocks = new Map<number, Mutex>();
  /** Go's physPageSize. */
  readonly physPageSize: number;
  /** View over the L2 arena map when the profile has no L1 level (Go's `arenas[0]`). */
  l2v: MemView;
  /** u32 index in l2v of entry 0 of that L2 map (-1 while it does not exist). */
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
    this.pages = PageAlloc.attach(
      sys,
      pageAllocOptions(this, profile, physHugePageSize, this.spanAlloc, sys),
      this.f64(R_PAGEALLOC),
    );
    this.arenaHintAlloc = FixAlloc.attach(sys, rec + R_HINT_ALLOC);
    this.tinyAlloc = v.getU32(rec + R_TINY_ALLOC + 56) === 0 ? null : FixAlloc.attach(sys, rec + R_TINY_ALLOC);
    this.mutex = new Mutex(v, (rec - v.base + R_LOCK) / 4, { name: "mheap", rank: lockRankMheap });
    this.l2v = v;
    this.l2w = -1;
    refreshL2(this);
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
      // Flat backends: chunks of one physical page, since every chunk's bytes are part of the buffer.
      const chunkBytes = Math.min(Math.max(sys.physPageSize, 16 << 10), 256 << 10);
      spanAlloc = SpanAlloc.create(sys, {
        ...(flat ? { source: "sysAlloc", chunkBytes } : { source: "reserve" }),
        ...opts.spanTable,
      });
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
    u(R_GEOM + 20, opts.tinySideSpanClass ?? sc.tinySpanClass);
    u(R_GEOM + 24, geom.pagesPerArena);
    // The L1 map (2^arenaL1Bits entries), zeroed.
    const l1 = spanAlloc.allocMeta(8 * 2 ** geom.arenaL1Bits, 8, SysStat.gcMiscSys);
    if (l1 === 0) throw new MHeapInitError("no memory for the arena map");
    r(R_L1, l1);
    // Few hints ever live at once: small chunks (Go's 16 KiB would be most of a flat heap's hint memory).
    FixAlloc.init(sys, rec + R_HINT_ALLOC, arenaHintBytes, spanAlloc.palloc, SysStat.other_sys, {
      chunkBytes: 16 * arenaHintBytes,
    });
    const tinySide = opts.tinySideBytes ?? 0;
    if (tinySide > 0) FixAlloc.init(sys, rec + R_TINY_ALLOC, tinySide, spanAlloc.palloc, SysStat.gcMiscSys);
    const physHuge = opts.physHugePageSize ?? 0;
    const pa = PageAlloc.create(sys, pageAllocOptions(null, profile, physHuge, spanAlloc, sys));
    r(R_PAGEALLOC, pa.header);
    u(R_MAGIC, MAGIC);
    const h = new MHeap(sys, profile, rec, sc, physHuge);
    if (geom.arenaL1Bits === 0 && !newL2(h, 0)) throw new MHeapInitError("no memory for the arena map");
    refreshL2(h);
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

  /** The span class whose spans carry a tiny side table ({@link MHeapOptions.tinySideSpanClass}). */
  get tinySideSpanClass(): number {
    return this.u32(R_GEOM + 20);
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
    this.pages.syncMeta(false, true); // another worker may have moved compact page-allocator metadata
  }
  /** Releases Go's `mheap_.lock`. */
  unlock(): void {
    const m = this.mutex;
    m.i32 = this.v.i32;
    m.unlock();
  }

  // ---- arena map (heaparena.ts) -------------------------------------------------------------

  /** Address of the L2 map for L1 index l1, or 0. */
  l2Of(l1: number): number {
    return this.v.getF64(this.f64(R_L1) + 8 * l1);
  }
  /** Go's `arenas[ai.l1()][ai.l2()]`: the heapArena record of arena ai, or 0. */
  arenaRecord(ai: number): number {
    return arenaRecord(this, ai);
  }
  /** Registers arenas `[v, v+size)` (see heaparena.ts); false if metadata memory is refused. Caller must hold the mheap lock. */
  registerArenas(v: number, size: number): boolean {
    return registerArenas(this, v, size);
  }
  /** Go's `spanOf(p)`: the span record the arena map holds for p's page, or 0 (maybe a dead span). */
  spanOf(p: number): number {
    return spanOf(this, p);
  }
  /** Go's `spanOfHeap(p)`: the in-use span containing p, or 0. */
  spanOfHeap(p: number): number {
    return spanOfHeap(this, p);
  }
  /** Go's `setSpans`: points every page of `[base, base+npages·pageSize)` at span s. */
  setSpans(base: number, npages: number, s: number): void {
    setSpans(this, base, npages, s);
  }
  /** Go's `pageInUse` bit of page p. */
  pageInUse(p: number): boolean {
    return pageBitOf(this, p, this.geom.offPageInUse);
  }
  /** Whether page p is the base of a freed span whose pages were not handed out since (see heaparena.ts). */
  freedSpanBase(p: number): boolean {
    return pageBitOf(this, p, this.geom.offFreedBase);
  }
  /** Go's `allocNeedsZero` (see heaparena.ts). */
  allocNeedsZero(base: number, npage: number): boolean {
    return allocNeedsZero(this, base, npage);
  }
  /** The zeroedBase of arena ai (bytes from the arena's start), or -1 if it is not registered. */
  zeroedBase(ai: number): number {
    const ha = arenaRecord(this, ai);
    return ha === 0 ? -1 : this.v.getF64(ha + this.geom.offZeroedBase);
  }
  /** The L1 map's address (heaparena.ts). */
  get l1Map(): number {
    return this.f64(R_L1);
  }
  /** Records a new arena in the record's bounds and allArenas (heaparena.ts); caller checked capacity. */
  noteArenas(a0: number, a1: number, all: number, len: number): void {
    this.setF64(R_ALL_ARENAS, all);
    this.setU32(R_ALL_LEN, len);
    if (a0 < this.arenaLo) this.setF64(R_ARENA_LO, a0);
    if (a1 > this.arenaHi) this.setF64(R_ARENA_HI, a1);
  }
  /** allArenas' capacity (heaparena.ts). */
  get allArenasCap(): number {
    return this.u32(R_ALL_CAP);
  }
  set allArenasCap(n: number) {
    this.setU32(R_ALL_CAP, n);
  }
  /** allArenas' array and length (heaparena.ts). */
  get allArenasArray(): number {
    return this.f64(R_ALL_ARENAS);
  }
  get allArenasLen(): number {
    return this.u32(R_ALL_LEN);
  }

  // ---- growing and spans (mheap_alloc.ts) ----------------------------------------------------

  /** Go's `mheap.grow` (see mheap_alloc.ts): bytes added, or -1 if refused. Caller must hold the mheap lock. */
  growLocked(npage: number): number {
    return growLocked(this, npage);
  }
  /** Go's `mheap.allocSpan` for heap spans (see mheap_alloc.ts): the span, or 0. */
  allocSpan(npages: number, spanclass: number, pc: PageCache | null, mayGrow: boolean): number {
    return allocSpan(this, npages, spanclass, pc, mayGrow);
  }
  /** Go's `mheap.freeSpan`: takes the lock and frees span s (see mheap_alloc.ts). */
  freeSpan(s: number): void {
    this.lock();
    try {
      freeSpanLocked(this, s);
    } finally {
      this.unlock();
    }
  }
  /** Go's `freeSpanLocked` (see mheap_alloc.ts). Caller must hold the mheap lock. */
  freeSpanLocked(s: number): void {
    freeSpanLocked(this, s);
  }
  /** Grows a large span in place (see mheap_alloc.ts); false, changing nothing, if the next pages are not free. */
  growSpan(s: number, npages: number): boolean {
    return growSpan(this, s, npages);
  }
  /** Shrinks a large span in place, freeing its tail pages (see mheap_alloc.ts). */
  shrinkSpan(s: number, npages: number): void {
    shrinkSpan(this, s, npages);
  }
  /** Flushes a P's page cache back to the page allocator (Go does this when a P is destroyed). */
  flushPageCache(pc: PageCache): void {
    this.lock();
    try {
      pc.flush(this.pages);
    } finally {
      this.unlock();
    }
  }
  /** Sets Go's `curArena` (mheap_alloc.ts). */
  setCurArena(base: number, end: number): void {
    this.setF64(R_CUR_BASE, base);
    this.setF64(R_CUR_END, end);
  }
  /** Adds to `pagesInUse` (mheap_alloc.ts). */
  addPagesInUse(n: number): void {
    this.setF64(R_PAGES_IN_USE, this.pagesInUse + n);
  }

  // ---- scavenging (mgcscavenge.ts) ------------------------------------------------------------

  /** Go's `heapRetained`: heapInUse + heapFree (mapped heap memory not released). */
  heapRetained(): number {
    return heapRetained(this);
  }
  /** The retained-bytes goal now (Infinity: none); `heapGoal` serves a goal relative to it. */
  scavengeGoal(heapGoal = Number.POSITIVE_INFINITY): number {
    return scavengeGoal(this, heapGoal);
  }
  /** Which kind of goal is set: 0 absolute, 1 relative to the in-use heap, 2 relative to the heap goal. */
  get scavengeGoalKind(): number {
    return this.f64(R_SCAV_FRACTION);
  }
  /** Sets the scavenger's goal (see mgcscavenge.ts). */
  setScavengeGoal(goal: ScavengeGoalSpec): void {
    setScavengeGoal(this, goal);
  }
  /** Bytes released to the backend by the scavenger so far. */
  get released(): number {
    return this.f64(R_RELEASED);
  }
  /** Releases about nbytes of free memory (see mgcscavenge.ts). Caller must hold the mheap lock. */
  scavengeLocked(nbytes: number, forceRest: boolean): number {
    return scavengeLocked(this, nbytes, forceRest);
  }
  /** The page allocator's release hook: Go's sysUnused plus the released/free statistics. */
  releasePages(addr: number, bytes: number): void {
    releasePages(this, addr, bytes);
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
export type MHeapField =
  | "gcPercent"
  | "numCycles"
  | "numForced"
  | "blockPool"
  | "central"
  | "scavGoal"
  | "scavKind"
  | "released";
const mheapFieldOffsets: Record<MHeapField, number> = {
  scavGoal: R_SCAV_GOAL,
  scavKind: R_SCAV_FRACTION,
  released: R_RELEASED,
  gcPercent: R_GC_PERCENT,
  numCycles: R_NUM_CYCLES,
  numForced: R_NUM_FORCED,
  blockPool: R_BLOCK_POOL,
  central: R_CENTRAL,
};

/** The page allocator's options for a profile; the release hook calls back into the heap. */
function pageAllocOptions(
  h: MHeap | null,
  p: Profile,
  physHugePageSize: number,
  spanAlloc: SpanAlloc,
  sys: SysMemory,
): PageAllocOptions {
  // Flat backends (one buffer whose every byte below the break is backing memory)
  // keep the page allocator's metadata compact, in the heap's metadata chunks.
  const compact = sys.caps.backend !== "simulated" && p.pallocChunksL1Bits === 0;
  return {
    persistent: compact ? spanAlloc.palloc : undefined,
    compact,
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
