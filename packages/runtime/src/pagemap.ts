/**
 * A page-by-page map of a heap, for drawing it: for every page of every
 * registered arena, whether it lies in an in-use span (and that span's size
 * class, and whether it is the span's first page), in a P's page cache, free
 * in the page allocator, released to the backend, or not yet grown into the
 * page allocator. It is the per-page form of {@link inspectHeap}'s arena
 * counts (Go's heapArena `spans` and `pageInUse`, and the page allocator's
 * alloc and scavenged bitmaps), recomputed from the records in managed memory,
 * so any handle can take it — one holding no P too — and it changes nothing.
 * Cost is linear in the pages of the heap. See docs/design.md, "Statistics".
 */
import { pageBitsGet } from "@gomalloc/mheap";
import { RuntimeThrow } from "@gomalloc/os-mem";
import type { Heap } from "./heap.js";
import { forEachCachedPage } from "./proc.js";

/**
 * What a page holds, in {@link HeapPageMap.state}. The counts of each state
 * over an arena equal {@link ArenaUsage}'s (released counts cached pages that
 * were scavenged, as inspectHeap does).
 */
export const PageMapState = {
  /** Not yet handed to the page allocator (the rest of Go's curArena). */
  ungrown: 0,
  /** Free and released to the backend (scavenged), in the page allocator or a page cache. */
  released: 1,
  /** Free in the page allocator, still backed. */
  free: 2,
  /** Free in a P's page cache, still backed. */
  cached: 3,
  /** Part of an in-use span. */
  inUse: 4,
} as const;

/** A value of {@link PageMapState}. */
export type PageMapState = (typeof PageMapState)[keyof typeof PageMapState];

/**
 * Every page of a heap's arenas: arena k's page i is entry
 * `k · pagesPerArena + i` of each array.
 *
 * Invariant PM1: `sizeclass[j] = 0` and `spanStart[j] = 0` unless `state[j] = inUse`.
 * Invariant PM2: per arena, the count of each state equals inspectHeap's page counts.
 */
export interface HeapPageMap {
  /** Runtime page size (8 KiB). */
  readonly pageSize: number;
  /** Pages per arena (Go's pagesPerArena). */
  readonly pagesPerArena: number;
  /** Registered arenas by address: Go's arena index and first address. */
  readonly arenas: readonly { readonly index: number; readonly base: number }[];
  /** A {@link PageMapState} per page. */
  readonly state: Uint8Array;
  /** For pages of in-use spans, the span's size class (0 = large object); 0 elsewhere. */
  readonly sizeclass: Uint8Array;
  /** 1 on the first page of each in-use span, else 0. */
  readonly spanStart: Uint8Array;
}

function broken(id: string, what: string): never {
  throw new RuntimeThrow(`invariant ${id} broken: ${what}`);
}

/**
 * Maps the heap page by page (see the file header and {@link HeapPageMap}).
 * Read-only; works on any handle. Throws RuntimeThrow when the records
 * contradict each other (a page both in a span and free, an allocated page in
 * no span and no page cache), which `checkInvariants` would also report.
 */
export function heapPageMap(heap: Heap): HeapPageMap {
  const h = heap.h;
  const g = h.geom;
  const v = heap.v;
  const t = heap.t;
  const ppa = g.pagesPerArena;
  const indexes = h.allArenas().sort((a, b) => a - b);
  const slot = new Map<number, number>();
  indexes.forEach((ai, k) => {
    slot.set(ai, k);
  });
  const n = indexes.length * ppa;
  const state = new Uint8Array(n); // ungrown until the page allocator says otherwise
  const sizeclass = new Uint8Array(n);
  const spanStart = new Uint8Array(n);
  const inSpan = new Uint8Array(n);
  const cached = new Uint8Array(n); // 1 cached, 2 cached and scavenged
  // In-use spans, from each arena's pageInUse bits (first pages) and the span records.
  indexes.forEach((ai, k) => {
    const ha = h.arenaRecord(ai);
    if (ha === 0) broken("MH1", `arena ${ai} has no record in the arena map`);
    for (let i = 0; i < ppa; i++) {
      if (((v.u8[ha + g.offPageInUse + (i >>> 3) - v.base]! >>> (i & 7)) & 1) === 0) continue;
      const s = h.spanOf(g.arenaBase(ai) + i * g.pageSize);
      const c = t.spanclass(s) >>> 1;
      spanStart[k * ppa + i] = 1;
      // A large span may run on into the next arenas.
      let left = t.npages(s);
      let at = ai;
      let first = i;
      while (left > 0) {
        const ks = slot.get(at);
        if (ks === undefined) broken("MH1", `span at arena ${ai} page ${i} runs into unregistered arena ${at}`);
        const here = Math.min(left, ppa - first);
        for (let j = ks * ppa + first; j < ks * ppa + first + here; j++) {
          if (inSpan[j] !== 0) broken("MH3", `page ${j % ppa} of arena ${at} lies in two spans`);
          inSpan[j] = 1;
          sizeclass[j] = c;
        }
        left -= here;
        at++;
        first = 0;
      }
    }
  });
  // P page caches: free pages the page allocator counts as allocated.
  forEachCachedPage(heap, (i, addr, scav) => {
    const ai = g.arenaIndex(addr);
    const k = slot.get(ai);
    if (k === undefined) broken("PC3", `page cache of P ${i} holds ${addr}, outside every arena`);
    cached[k * ppa + Math.floor((addr - g.arenaBase(ai)) / g.pageSize)] = 1 + scav;
  });
  // The page allocator's bits over its grown ranges (offset space).
  const pages = h.pages;
  for (let r = 0; r < pages.inUse.len; r++) {
    const limit = pages.inUse.limit(r);
    for (let off = pages.inUse.base(r); off < limit; off += g.pageSize) {
      const ai = Math.floor(off / g.heapArenaBytes);
      const k = slot.get(ai);
      if (k === undefined) broken("MH1", `grown memory at offset ${off} lies in unregistered arena ${ai}`);
      const j = k * ppa + Math.floor((off - ai * g.heapArenaBytes) / g.pageSize);
      const w = pages.chunkOf(pages.g.chunkIndex(off));
      const ci = pages.g.chunkPageIndex(off);
      const alloc = pageBitsGet(pages.cu32, w, ci);
      const scav = pageBitsGet(pages.cu32, w + pages.pb.scavOff, ci);
      if (inSpan[j] !== 0) {
        if (alloc === 0) broken("MH4", `page ${j % ppa} of arena ${ai} is in a span but free in the page allocator`);
        state[j] = PageMapState.inUse;
      } else if (cached[j] !== 0) {
        if (alloc === 0) broken("PC3", `page ${j % ppa} of arena ${ai} is in a page cache but free`);
        state[j] = cached[j] === 2 ? PageMapState.released : PageMapState.cached;
      } else if (alloc !== 0) {
        broken("MH4", `page ${j % ppa} of arena ${ai} is allocated but in no span and no page cache`);
      } else {
        state[j] = scav !== 0 ? PageMapState.released : PageMapState.free;
      }
    }
  }
  for (let j = 0; j < n; j++) {
    if (inSpan[j] !== 0 && state[j] !== PageMapState.inUse) {
      broken("MH4", `page ${j % ppa} of arena ${indexes[Math.floor(j / ppa)]} is in a span but not grown`);
    }
  }
  return {
    pageSize: g.pageSize,
    pagesPerArena: ppa,
    arenas: indexes.map((index) => ({ index, base: g.arenaBase(index) })),
    state,
    sizeclass,
    spanStart,
  };
}
