/**
 * The per-P page cache (Go's mpagecache.go): a 64-page aligned block taken
 * from the page allocator in one locked step, from which a P then allocates
 * small page runs without the heap lock. The cache is a 24-byte record in
 * managed memory (base, then the free-page and scavenged-page masks as u32
 * pairs), so it can sit inside a P's record and be seen by other workers.
 * See docs/design.md, "Managed memory".
 */

import type { MemView } from "@gomalloc/os-mem";
import { RuntimeThrow } from "@gomalloc/os-mem";
import { lowMask64Hi, lowMask64Lo, onesCount64, shl64Hi, shl64Lo, trailingZeros64 } from "@gomalloc/span";
import { PageCountError } from "./errors.js";
import type { PageAlloc } from "./mpagealloc.js";
import { findBitRange64, findFailed, pageBitsSetRange } from "./mpallocbits.js";

/** Go's `pageCachePages`: pages covered by one page cache. */
export const pageCachePages = 64;
/** Bytes of a page-cache record: base f64, cache u32×2, scav u32×2. */
export const pageCacheBytes = 24;

/**
 * Go's `pageCache` over a record at `rec`. Invariants:
 * - PC1: base is a multiple of 64 pages (or 0 with cache = 0).
 * - PC2: scav ⊆ cache (only free pages of the cache can be scavenged).
 * - PC3: every page of `cache` is marked in use in the page allocator, which
 *   counts it as allocated until `flush` or an allocation hands it out.
 */
export class PageCache {
  /** View over the record. */
  readonly v: MemView;
  /** Address of the record. */
  readonly rec: number;
  /** Runtime page size in bytes. */
  readonly pageSize: number;
  /** Second result of {@link alloc}: scavenged bytes in the returned run. */
  scav: number;

  /**
   * @param v - view covering the record.
   * @param rec - 8-byte aligned address of a {@link pageCacheBytes} record (zeroed = empty).
   * @param pageSize - the runtime page size.
   */
  constructor(v: MemView, rec: number, pageSize: number) {
    this.v = v;
    this.rec = rec;
    this.pageSize = pageSize;
    this.scav = 0;
  }

  private get w(): number {
    return (this.rec - this.v.base) / 4;
  }
  /** Base address of the cached block (0 when empty and never filled). */
  get base(): number {
    return this.v.f64[(this.rec - this.v.base) / 8]!;
  }
  /** Low half of the free-page mask (1 = free). */
  get cacheLo(): number {
    return this.v.u32[this.w + 2]!;
  }
  /** High half of the free-page mask. */
  get cacheHi(): number {
    return this.v.u32[this.w + 3]!;
  }
  /** Low half of the scavenged-page mask. */
  get scavLo(): number {
    return this.v.u32[this.w + 4]!;
  }
  /** High half of the scavenged-page mask. */
  get scavHi(): number {
    return this.v.u32[this.w + 5]!;
  }

  /** Overwrites the record. */
  set(base: number, cacheLo: number, cacheHi: number, scavLo: number, scavHi: number): void {
    const w = this.w;
    this.v.f64[w / 2] = base;
    this.v.u32[w + 2] = cacheLo;
    this.v.u32[w + 3] = cacheHi;
    this.v.u32[w + 4] = scavLo;
    this.v.u32[w + 5] = scavHi;
  }

  /** Go's `pageCache.empty`: no free page left. */
  empty(): boolean {
    const u = this.v.u32;
    const w = this.w;
    return (u[w + 2]! | u[w + 3]!) === 0;
  }

  /**
   * Go's `pageCache.alloc`: takes npages contiguous free pages from the cache.
   * Returns their base address, or 0 when no such run is cached; scavenged
   * bytes in the run go to {@link scav}. Throws PageCountError unless npages
   * is a positive integer.
   */
  alloc(npages: number): number {
    if (!Number.isInteger(npages) || npages < 1) throw new PageCountError(npages);
    this.scav = 0;
    // The words are read here, not through the getters: a u32 of 2^31 or more returned from a call
    // V8 does not inline is boxed as a heap number.
    const u = this.v.u32;
    const w = this.w;
    const cl = u[w + 2]!;
    const ch = u[w + 3]!;
    if ((cl | ch) === 0) return 0;
    if (npages === 1) {
      const i = trailingZeros64(cl, ch);
      const sl = u[w + 4]!;
      const sh = u[w + 5]!;
      const bit = i < 32 ? (sl >>> i) & 1 : (sh >>> (i - 32)) & 1;
      if (i < 32) {
        u[w + 2] = cl & ~(1 << i);
        u[w + 4] = sl & ~(1 << i);
      } else {
        u[w + 3] = ch & ~(1 << (i - 32));
        u[w + 5] = sh & ~(1 << (i - 32));
      }
      this.scav = bit * this.pageSize;
      return this.base + i * this.pageSize;
    }
    return this.allocN(npages);
  }

  /** Go's `pageCache.allocN`: the general case of {@link alloc}. */
  allocN(npages: number): number {
    if (npages > pageCachePages) return 0;
    const u = this.v.u32;
    const w = this.w;
    const cl = u[w + 2]!;
    const ch = u[w + 3]!;
    const i = findBitRange64(cl, ch, npages);
    if (i >= 64) return 0;
    const ml = shl64Lo(lowMask64Lo(npages), i);
    const mh = shl64Hi(lowMask64Lo(npages), lowMask64Hi(npages), i);
    const sl = u[w + 4]!;
    const sh = u[w + 5]!;
    this.scav = onesCount64(sl & ml, sh & mh) * this.pageSize;
    u[w + 2] = cl & ~ml;
    u[w + 3] = ch & ~mh;
    u[w + 4] = sl & ~ml;
    u[w + 5] = sh & ~mh;
    return this.base + i * this.pageSize;
  }

  /**
   * Go's `pageCache.flush`: gives the cache's free pages back to `p` (keeping
   * their scavenged state) and empties the cache. Caller must hold the mheap lock.
   */
  flush(p: PageAlloc): void {
    if (this.empty()) return;
    const g = p.g;
    const ob = this.base + g.arenaBaseOffsetAdd;
    const ci = g.chunkIndex(ob);
    const pi = g.chunkPageIndex(ob);
    const u = this.v.u32;
    const w = this.w;
    const cl = u[w + 2]!;
    const ch = u[w + 3]!;
    const sl = u[w + 4]!;
    const sh = u[w + 5]!;
    for (let i = 0; i < 64; i++) {
      const c = i < 32 ? (cl >>> i) & 1 : (ch >>> (i - 32)) & 1;
      const s = i < 32 ? (sl >>> i) & 1 : (sh >>> (i - 32)) & 1;
      if (c !== 0) {
        p.chunkOf(ci);
        p.pb.free1(pi + i);
        p.scavIndex.free(ci, pi + i, 1);
      }
      if (s !== 0) {
        const off = p.chunkOf(ci);
        pageBitsSetRange(p.cu32, off + p.pb.scavOff, pi + i, 1);
      }
    }
    if (ob < p.searchAddr) p.searchAddr = ob;
    p.update(ob, pageCachePages, false, false);
    this.set(0, 0, 0, 0, 0);
  }
}

/**
 * Go's `pageAlloc.allocToCache`: takes the 64-page aligned block holding the
 * first free page and hands its free pages to `c` (which must be empty);
 * `c` is left empty when the allocator has no free page. Caller must hold the
 * mheap lock.
 */
export function allocToCache(p: PageAlloc, c: PageCache): void {
  const g = p.g;
  c.set(0, 0, 0, 0, 0);
  const searchAddr = p.searchAddr;
  if (g.chunkIndex(searchAddr) >= p.end) return;
  let ci = g.chunkIndex(searchAddr);
  const leaf = g.summaryLevels - 1;
  let base: number;
  let pidx: number;
  if (p.summaryMax(leaf, ci) !== 0) {
    p.chunkOf(ci);
    const j = p.pb.find(1, g.chunkPageIndex(searchAddr));
    if (j === findFailed) throw new RuntimeThrow("bad summary data");
    pidx = j;
    base = g.chunkBase(ci) + Math.floor(j / 64) * 64 * g.pageSize;
  } else {
    const addr = p.find(1);
    if (addr === 0) {
      p.searchAddr = g.maxOffAddr;
      return;
    }
    ci = g.chunkIndex(addr);
    pidx = g.chunkPageIndex(addr);
    base = Math.floor(addr / (64 * g.pageSize)) * 64 * g.pageSize;
  }
  const off = p.chunkOf(ci);
  const pb = p.pb;
  // The 64-page block's words, kept int32 (the same bits): these values are passed to calls
  // V8 may not inline, and a u32 of 2^31 or more would be boxed as a heap number on each.
  const u32 = p.cu32;
  const aw = off + Math.floor(pidx / 64) * 2;
  const cacheLo = ~u32[aw]!;
  const cacheHi = ~u32[aw + 1]!;
  const sw = aw + pb.scavOff;
  const scavLo = u32[sw]! | 0;
  const scavHi = u32[sw + 1]! | 0;
  pb.allocPages64(pidx, cacheLo, cacheHi);
  u32[sw] = scavLo & ~(cacheLo & scavLo);
  u32[sw + 1] = scavHi & ~(cacheHi & scavHi);
  p.update(base, pageCachePages, false, true);
  p.scavIndex.alloc(ci, onesCount64(cacheLo, cacheHi));
  p.searchAddr = base + g.pageSize * (pageCachePages - 1);
  c.set(base - g.arenaBaseOffsetAdd, cacheLo, cacheHi, scavLo, scavHi);
}
