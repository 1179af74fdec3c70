/**
 * Read-only introspection of a heap, for reports and visualizers: what Go's
 * `runtime.ReadMemStats` does not break down — per size class the spans in
 * use, their objects and where their bytes go (live objects, free slots,
 * the tail a span cannot use), per arena the pages in spans, in P page
 * caches, free, released to the backend and not yet grown into the page
 * allocator, and the free-cycle and scavenger figures. Everything is
 * recomputed from the records in managed memory (the arena map, pageInUse
 * bits, span records, page-allocator bitmaps, page caches), so any handle —
 * one without a P too, e.g. a second worker attached read-only — can call it,
 * and it changes nothing. Cost is linear in the pages of the heap: call
 * {@link inspectHeap} between steps, and {@link heapFootprint} (constant
 * time) to sample growth often. Requested sizes are not recorded by the
 * heap, so the waste inside an object (elemsize − requested) is not known;
 * free-slot and span-tail waste are. See docs/design.md, "Statistics".
 */
import { type PageAlloc, pageBitsGet } from "@gomalloc/mheap";
import { RuntimeThrow, SysStat } from "@gomalloc/os-mem";
import { F_elemsize } from "@gomalloc/span";
import type { Heap } from "./heap.js";
import { MC_ALLOC, pendingFreeBytes } from "./mcache.js";
import { forEachCachedPage, pMCache } from "./proc.js";

/**
 * The spans of one size class (Go's `mcentral` population), summed. Large
 * objects are size class 0: one object per span, `elemsize` 0 (each span
 * has its own size) and no free slots or tail.
 *
 * Invariant IN1: `spanBytes = bytesInUse + freeSlotBytes + tailWasteBytes`.
 * Invariant IN2: `capacity = objects + freedUnswept + freeSlots`.
 */
export interface SizeClassUsage {
  /** Go's size class (0 = large objects). */
  readonly sizeclass: number;
  /** Object size of the class (Go's `class_to_size`); 0 for large objects. */
  readonly elemsize: number;
  /** Pages per span of the class (Go's `class_to_allocnpages`); 0 for large objects. */
  readonly spanPages: number;
  /** In-use spans of the class. */
  readonly spans: number;
  /** Of those, how many an mcache holds now (the rest sit in mcentral's span sets). */
  readonly cachedSpans: number;
  /** Pages of those spans. */
  readonly pages: number;
  /** Object slots of those spans (Σ nelems). On the tiny class a slot is a 16-byte tiny block. */
  readonly capacity: number;
  /** Live objects (Σ allocCount − freedCount); tiny blocks for the tiny class. */
  readonly objects: number;
  /** Objects freed and neither swept nor taken back by their P's reuse stack yet (Σ freedCount). */
  readonly freedUnswept: number;
  /** Slots never handed out since the span's last sweep (Σ nelems − allocCount). */
  readonly freeSlots: number;
  /** Bytes of live objects: objects × elemsize (large: the spans' bytes, as HeapAlloc counts them). */
  readonly bytesInUse: number;
  /** Bytes of the spans: pages × pageSize. */
  readonly spanBytes: number;
  /** Bytes of slots not holding a live object: (freeSlots + freedUnswept) × elemsize. */
  readonly freeSlotBytes: number;
  /** Bytes at the end of each span too small for one more object: Σ (spanBytes − nelems × elemsize). */
  readonly tailWasteBytes: number;
}

/**
 * One heap arena (Go's `heapArena`), page by page. Invariant IN3:
 * `pagesInUse + pagesCached + pagesFree + pagesReleased + pagesUngrown = pagesPerArena`.
 */
export interface ArenaUsage {
  /** Go's arena index (`arenaIndex(base)`). */
  readonly index: number;
  /** First address of the arena. */
  readonly base: number;
  /** Go's heapArenaBytes. */
  readonly bytes: number;
  /** In-use spans starting in the arena (a large span's later pages may lie in the next arenas). */
  readonly spans: number;
  /** Pages of in-use spans. */
  readonly pagesInUse: number;
  /** Free pages a P's page cache holds, not released. */
  readonly pagesCached: number;
  /** Free pages of the page allocator, not released (retained: HeapIdle − HeapReleased). */
  readonly pagesFree: number;
  /**
   * Free pages released to the backend (HeapReleased), in the page allocator
   * or a page cache: scavenged pages, and grown pages never used yet (as in
   * Go, fresh heap memory starts out counted as released).
   */
  readonly pagesReleased: number;
  /** Pages of the arena not yet handed to the page allocator (the rest of Go's `curArena`). */
  readonly pagesUngrown: number;
}

/**
 * Totals of {@link HeapInspection.arenas} (the page counts, summed: pagesInUse
 * × pageSize = HeapInuse, (pagesCached + pagesFree) × pageSize = HeapIdle −
 * HeapReleased, pagesReleased × pageSize = HeapReleased) and of
 * {@link HeapInspection.sizeClasses} (the byte counts: bytesInUse = HeapAlloc).
 */
export interface HeapUsageTotals
  extends Omit<ArenaUsage, "index" | "base" | "bytes">,
    Pick<SizeClassUsage, "bytesInUse" | "freeSlotBytes" | "tailWasteBytes"> {
  /** Registered arenas. */
  readonly arenas: number;
}

/** What the backend holds, from os-mem's page states. */
export interface BackendUsage {
  /** The backend kind (`arraybuffer`, `sab`, `wasm`, `simulated`). */
  readonly backend: string;
  /** Bytes of pages Reserved (address space only). */
  readonly reserved: number;
  /** Bytes of pages Prepared (mapped, released or not yet used). */
  readonly prepared: number;
  /** Bytes of pages Ready (committed), heap and metadata. */
  readonly ready: number;
  /** Go's Sys: every sys memory statistic summed. */
  readonly sys: number;
  /**
   * Length of the buffer for flat backends (ArrayBuffer, SharedArrayBuffer,
   * WebAssembly.Memory): all of it exists whatever the page states, since
   * such a buffer cannot give memory back. null on the simulated backend.
   */
  readonly bufferBytes: number | null;
}

/** The free cycles (gomalloc's GC: sweeps of explicit frees) and the scavenger. */
export interface CycleUsage {
  /** Free cycles started (MemStats.NumGC). */
  readonly freeCycles: number;
  /** Of those, forced by `freeCycle()` (MemStats.NumForcedGC). */
  readonly forcedCycles: number;
  /** Go's `mheap_.sweepgen`. */
  readonly sweepgen: number;
  /** Whether every span has been swept this cycle. */
  readonly sweepDone: boolean;
  /** Bytes freed and neither swept nor taken back yet, over every P. */
  readonly freedUnsweptBytes: number;
  /** Bytes the scavenger has released to the backend since the heap was made. */
  readonly scavengedTotal: number;
  /** Heap memory retained now (in use + free, not released). */
  readonly retained: number;
  /** The scavenger's retained-bytes goal now, as `scavengeToGoal` computes it (Infinity: off). */
  readonly scavengeGoal: number;
}

/** A snapshot of a heap's layout: see {@link inspectHeap}. */
export interface HeapInspection {
  /** The profile's GOOS/GOARCH pair. */
  readonly pair: string;
  /** The Go release the heap follows. */
  readonly goVersion: string;
  /** Runtime page size (8 KiB). */
  readonly pageSize: number;
  /** The backend's physical page size. */
  readonly physPageSize: number;
  /** Go's heapArenaBytes. */
  readonly heapArenaBytes: number;
  /** Number of Ps. */
  readonly numPs: number;
  /** Size classes with at least one in-use span, ascending (class 0, large objects, first when present). */
  readonly sizeClasses: readonly SizeClassUsage[];
  /** Registered arenas, by address. */
  readonly arenas: readonly ArenaUsage[];
  /** Sums over both lists. */
  readonly totals: HeapUsageTotals;
  /** Free cycles and scavenger. */
  readonly cycles: CycleUsage;
  /** What the backend holds. */
  readonly memory: BackendUsage;
}

/** Constant-time figures for sampling a heap's growth: see {@link heapFootprint}. */
export interface HeapFootprint {
  /** Registered arenas. */
  readonly arenas: number;
  /** MemStats.HeapInuse: bytes in in-use spans. */
  readonly heapInuse: number;
  /** HeapIdle − HeapReleased: free heap bytes still backed. */
  readonly heapFree: number;
  /** MemStats.HeapReleased. */
  readonly heapReleased: number;
  /** Bytes the scavenger has released since the heap was made. */
  readonly scavengedTotal: number;
  /** Ready (committed) bytes of the backend, metadata included. */
  readonly ready: number;
  /** Free cycles started. */
  readonly freeCycles: number;
}

interface ClassAcc {
  spans: number;
  cachedSpans: number;
  pages: number;
  capacity: number;
  objects: number;
  freedUnswept: number;
  freeSlots: number;
  bytesInUse: number;
  freeSlotBytes: number;
  tailWasteBytes: number;
}

interface ArenaAcc {
  index: number;
  spans: number;
  inUse: number;
  allocated: number;
  scavenged: number;
  grown: number;
  cached: number;
  cachedReleased: number;
}

function arenaAcc(m: Map<number, ArenaAcc>, index: number): ArenaAcc {
  const acc = { index, spans: 0, inUse: 0, allocated: 0, scavenged: 0, grown: 0, cached: 0, cachedReleased: 0 };
  m.set(index, acc);
  return acc;
}

function broken(id: string, what: string): never {
  throw new RuntimeThrow(`invariant ${id} broken: ${what}`);
}

/** The spans every mcache holds now. */
function cachedSpans(heap: Heap): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < heap.numPs; i++) {
    const mc = pMCache(heap.v, heap.ptable, i);
    for (let spc = 0; spc < heap.sizeClasses.numSpanClasses; spc++) {
      const s = heap.v.getF64(mc + MC_ALLOC + 8 * spc);
      if (s !== heap.emptymspan) out.add(s);
      const q = heap.v.getF64(mc + heap.layout.prev + 8 * spc);
      if (q !== heap.emptymspan) out.add(q);
    }
  }
  return out;
}

/** Allocated and scavenged page bits of the page allocator over `[off, off+npages·pageSize)` (offset space). */
function countPageBits(p: PageAlloc, off: number, npages: number, acc: ArenaAcc): void {
  const g = p.g;
  let i = 0;
  while (i < npages) {
    const a = off + i * g.pageSize;
    const ci = g.chunkIndex(a);
    const first = g.chunkPageIndex(a);
    const n = Math.min(npages - i, g.pallocChunkPages - first);
    const w = p.chunkOf(ci);
    const u = p.cu32;
    for (let k = first; k < first + n; k++) {
      acc.allocated += pageBitsGet(u, w, k);
      acc.scavenged += pageBitsGet(u, w + p.pb.scavOff, k);
    }
    acc.grown += n;
    i += n;
  }
}

/**
 * Inspects the heap: per size class, per arena, free cycles, scavenger and
 * backend (see the file header and {@link HeapInspection}). Read-only; works
 * on any handle. Throws RuntimeThrow when the records contradict each other
 * (the page allocator and the spans and page caches disagree), which
 * `checkInvariants` would also report.
 */
export function inspectHeap(heap: Heap): HeapInspection {
  heap.syncForWalk(); // another handle may have grown the heap since this one last looked
  const h = heap.h;
  const g = h.geom;
  const t = heap.t;
  const v = heap.v;
  const sc = heap.sizeClasses;
  const pages = h.pages;
  const cached = cachedSpans(heap);
  const classes = new Map<number, ClassAcc>();
  const arenaAccs = new Map<number, ArenaAcc>();
  const indexes = h.allArenas().sort((a, b) => a - b);
  for (const ai of indexes) arenaAcc(arenaAccs, ai);
  for (const ai of indexes) {
    const acc = arenaAccs.get(ai)!;
    const ha = h.arenaRecord(ai);
    if (ha === 0) broken("MH1", `arena ${ai} has no record in the arena map`);
    for (let i = 0; i < g.pagesPerArena; i++) {
      if (((v.u8[ha + g.offPageInUse + (i >>> 3) - v.base]! >>> (i & 7)) & 1) === 0) continue;
      const s = h.spanOf(g.arenaBase(ai) + i * g.pageSize);
      const c = t.spanclass(s) >>> 1;
      const npages = t.npages(s);
      let k = classes.get(c);
      if (k === undefined) {
        k = {
          spans: 0,
          cachedSpans: 0,
          pages: 0,
          capacity: 0,
          objects: 0,
          freedUnswept: 0,
          freeSlots: 0,
          bytesInUse: 0,
          freeSlotBytes: 0,
          tailWasteBytes: 0,
        };
        classes.set(c, k);
      }
      const bytes = npages * g.pageSize;
      k.spans++;
      k.pages += npages;
      if (cached.has(s)) k.cachedSpans++;
      if (c === 0) {
        k.capacity++;
        k.objects++;
        k.bytesInUse += bytes;
      } else {
        const es = t.getF64(s, F_elemsize);
        const nelems = t.nelems(s);
        const live = t.allocCount(s) - t.freedCount(s);
        k.capacity += nelems;
        k.objects += live;
        k.freedUnswept += t.freedCount(s);
        k.freeSlots += nelems - t.allocCount(s);
        k.bytesInUse += live * es;
        k.freeSlotBytes += (nelems - live) * es;
        k.tailWasteBytes += bytes - nelems * es;
      }
      acc.spans++;
      // A large span may run on into the next arenas: count each page where it lies.
      let left = npages;
      let at = ai;
      let first = i;
      while (left > 0) {
        const here = Math.min(left, g.pagesPerArena - first);
        const a = arenaAccs.get(at) ?? arenaAcc(arenaAccs, at);
        a.inUse += here;
        left -= here;
        at++;
        first = 0;
      }
    }
  }
  // Page-allocator bits over the grown ranges, attributed to arenas.
  for (let r = 0; r < pages.inUse.len; r++) {
    let off = pages.inUse.base(r);
    const limit = pages.inUse.limit(r);
    while (off < limit) {
      const ai = Math.floor(off / g.heapArenaBytes);
      const end = Math.min(limit, (ai + 1) * g.heapArenaBytes);
      const acc = arenaAccs.get(ai);
      if (acc === undefined) broken("MH1", `grown memory at offset ${off} lies in unregistered arena ${ai}`);
      countPageBits(pages, off, (end - off) / g.pageSize, acc);
      off = end;
    }
  }
  // P page caches: free pages the page allocator counts as allocated.
  forEachCachedPage(heap, (i, addr, scav) => {
    const acc = arenaAccs.get(g.arenaIndex(addr));
    if (acc === undefined) broken("PC3", `page cache of P ${i} holds ${addr}, outside every arena`);
    acc.cached++;
    acc.cachedReleased += scav;
  });
  const arenas: ArenaUsage[] = [];
  let tp = 0;
  let tc = 0;
  let tf = 0;
  let tr = 0;
  let tu = 0;
  let ts = 0;
  for (const acc of arenaAccs.values()) {
    if (acc.allocated !== acc.inUse + acc.cached) {
      broken(
        "MH4",
        `arena ${acc.index}: ${acc.allocated} pages allocated, ${acc.inUse} in spans + ${acc.cached} cached`,
      );
    }
    const u: ArenaUsage = {
      index: acc.index,
      base: g.arenaBase(acc.index),
      bytes: g.heapArenaBytes,
      spans: acc.spans,
      pagesInUse: acc.inUse,
      pagesCached: acc.cached - acc.cachedReleased,
      pagesFree: acc.grown - acc.allocated - acc.scavenged,
      pagesReleased: acc.scavenged + acc.cachedReleased,
      pagesUngrown: g.pagesPerArena - acc.grown,
    };
    arenas.push(u);
    tp += u.pagesInUse;
    tc += u.pagesCached;
    tf += u.pagesFree;
    tr += u.pagesReleased;
    tu += u.pagesUngrown;
    ts += u.spans;
  }
  const sizeClasses: SizeClassUsage[] = [];
  let bi = 0;
  let fs = 0;
  let tw = 0;
  for (const c of [...classes.keys()].sort((a, b) => a - b)) {
    const k = classes.get(c)!;
    sizeClasses.push({
      sizeclass: c,
      elemsize: c === 0 ? 0 : sc.class_to_size[c]!,
      spanPages: c === 0 ? 0 : sc.class_to_allocnpages[c]!,
      spans: k.spans,
      cachedSpans: k.cachedSpans,
      pages: k.pages,
      capacity: k.capacity,
      objects: k.objects,
      freedUnswept: k.freedUnswept,
      freeSlots: k.freeSlots,
      bytesInUse: k.bytesInUse,
      spanBytes: k.pages * g.pageSize,
      freeSlotBytes: k.freeSlotBytes,
      tailWasteBytes: k.tailWasteBytes,
    });
    bi += k.bytesInUse;
    fs += k.freeSlotBytes;
    tw += k.tailWasteBytes;
  }
  const pending = pendingFreeBytes(heap);
  return {
    pair: heap.profile.pair,
    goVersion: heap.profile.goVersion,
    pageSize: g.pageSize,
    physPageSize: heap.sys.physPageSize,
    heapArenaBytes: g.heapArenaBytes,
    numPs: heap.numPs,
    sizeClasses,
    arenas,
    totals: {
      arenas: arenas.length,
      spans: ts,
      pagesInUse: tp,
      pagesCached: tc,
      pagesFree: tf,
      pagesReleased: tr,
      pagesUngrown: tu,
      bytesInUse: bi,
      freeSlotBytes: fs,
      tailWasteBytes: tw,
    },
    cycles: {
      freeCycles: h.getField("numCycles"),
      forcedCycles: h.getField("numForced"),
      sweepgen: h.sweepgen,
      sweepDone: h.sweepDone,
      freedUnsweptBytes: pending,
      scavengedTotal: h.released,
      retained: h.heapRetained(),
      scavengeGoal: h.scavengeGoal(h.scavengeGoalKind === 2 ? heap.heapGoal() : Number.POSITIVE_INFINITY),
    },
    memory: backendUsage(heap),
  };
}

function backendUsage(heap: Heap): BackendUsage {
  const sys = heap.sys;
  const st = sys.stats();
  const flat = sys.caps.backend !== "simulated";
  return {
    backend: sys.caps.backend,
    reserved: st.reserved,
    prepared: st.prepared,
    ready: st.ready,
    sys: st.sys,
    bufferBytes: flat ? sys.viewOf(0).buffer.byteLength : null,
  };
}

/**
 * Constant-time figures of the heap's size (arenas, in-use, free and released
 * heap bytes, scavenged total, committed bytes, free cycles), cheap enough to
 * sample every few thousand operations to plot growth. Read-only; any handle.
 */
export function heapFootprint(heap: Heap): HeapFootprint {
  const h = heap.h;
  const sys = heap.sys;
  return {
    arenas: h.allArenas().length,
    heapInuse: sys.statLoad(SysStat.heapInUse),
    heapFree: sys.statLoad(SysStat.heapFree),
    heapReleased: sys.statLoad(SysStat.heapReleased),
    scavengedTotal: h.released,
    ready: sys.stats().ready,
    freeCycles: h.getField("numCycles"),
  };
}

/**
 * Checks IN1–IN3 on an inspection and its agreement with MemStats figures
 * taken at the same moment: `pagesInUse · pageSize = HeapInuse` (IN4),
 * `(pagesCached + pagesFree) · pageSize = HeapIdle − HeapReleased` and
 * `pagesReleased · pageSize = HeapReleased` (IN5), `bytesInUse = HeapAlloc`
 * (IN6). Throws RuntimeThrow naming the first one broken.
 */
export function checkInspection(
  x: HeapInspection,
  ms: { HeapInuse: number; HeapIdle: number; HeapReleased: number; HeapAlloc: number },
): void {
  for (const c of x.sizeClasses) {
    if (c.spanBytes !== c.bytesInUse + c.freeSlotBytes + c.tailWasteBytes) {
      broken(
        "IN1",
        `class ${c.sizeclass}: ${c.spanBytes} ≠ ${c.bytesInUse} + ${c.freeSlotBytes} + ${c.tailWasteBytes}`,
      );
    }
    if (c.capacity !== c.objects + c.freedUnswept + c.freeSlots) {
      broken("IN2", `class ${c.sizeclass}: capacity ${c.capacity} ≠ ${c.objects} + ${c.freedUnswept} + ${c.freeSlots}`);
    }
  }
  const perArena = x.heapArenaBytes / x.pageSize;
  for (const a of x.arenas) {
    const sum = a.pagesInUse + a.pagesCached + a.pagesFree + a.pagesReleased + a.pagesUngrown;
    if (sum !== perArena || Math.min(a.pagesCached, a.pagesFree, a.pagesReleased, a.pagesUngrown) < 0) {
      broken("IN3", `arena ${a.index}: pages sum to ${sum}, not ${perArena}`);
    }
  }
  const t = x.totals;
  if (t.pagesInUse * x.pageSize !== ms.HeapInuse) broken("IN4", `${t.pagesInUse} pages, HeapInuse ${ms.HeapInuse}`);
  if ((t.pagesCached + t.pagesFree) * x.pageSize !== ms.HeapIdle - ms.HeapReleased) {
    broken(
      "IN5",
      `${t.pagesCached} + ${t.pagesFree} free pages, HeapIdle − HeapReleased ${ms.HeapIdle - ms.HeapReleased}`,
    );
  }
  if (t.pagesReleased * x.pageSize !== ms.HeapReleased) {
    broken("IN5", `${t.pagesReleased} released pages, HeapReleased ${ms.HeapReleased}`);
  }
  if (t.bytesInUse !== ms.HeapAlloc) broken("IN6", `${t.bytesInUse} bytes in use, HeapAlloc ${ms.HeapAlloc}`);
}
