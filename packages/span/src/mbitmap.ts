/**
 * The allocation side of a span's bitmaps (Go's mbitmap.go and malloc.go's
 * nextFreeFast): finding the next free object through the 64-object
 * allocCache window, refilling that window from allocBits, object indexes by
 * divMagic, and counting marked objects. These are the malloc hot path: they
 * index the table's typed arrays directly, allocate nothing, and take only
 * numbers. See docs/design.md, "Managed memory" and decision 4.
 */

import { RuntimeThrow } from "@gomalloc/os-mem";
import { mulHi32, onesCount32, trailingZeros64 } from "./bits.js";
import {
  F_allocBits,
  F_allocCacheHi,
  F_allocCacheLo,
  F_allocCount,
  F_divMul,
  F_elemsize,
  F_freeindex,
  F_gcmarkBits,
  F_nelems,
  F_startAddr,
  type MSpanTable,
} from "./mspan.js";

const W_cacheLo = F_allocCacheLo / 4;
const W_cacheHi = F_allocCacheHi / 4;
const W_freeindex = F_freeindex / 4;
const W_nelems = F_nelems / 4;
const W_allocCount = F_allocCount / 4;
const W_divMul = F_divMul / 4;
const D_start = F_startAddr / 8;
const D_elemsize = F_elemsize / 8;
const W_allocBits = F_allocBits / 4;
const W_gcmarkBits = F_gcmarkBits / 4;

/**
 * Go's `nextFreeFast`: the next free object of s if the allocCache window
 * holds one and taking it does not cross into the next 64-object window
 * (then the caller goes to {@link nextFreeIndex}). Returns the object's
 * address, or 0.
 */
export function nextFreeFast(t: MSpanTable, s: number): number {
  const v = t.v;
  const u = v.u32;
  const w = (s - v.base) / 4;
  const lo = u[w + W_cacheLo]!;
  const hi = u[w + W_cacheHi]!;
  const theBit = trailingZeros64(lo, hi);
  if (theBit < 64) {
    const result = u[w + W_freeindex]! + theBit;
    const nelems = u[w + W_nelems]!;
    if (result < nelems) {
      const freeidx = result + 1;
      if ((freeidx & 63) === 0 && freeidx !== nelems) return 0;
      shiftAllocCache(u, w, lo, hi, theBit + 1);
      u[w + W_freeindex] = freeidx;
      u[w + W_allocCount] = u[w + W_allocCount]! + 1;
      const f = w / 2;
      return result * v.f64[f + D_elemsize]! + v.f64[f + D_start]!;
    }
  }
  return 0;
}

/**
 * Go's `refillAllocCache`: loads the 64 alloc bits starting at byte
 * `whichByte` (a multiple of 8) of allocBits, inverted, into allocCache.
 */
export function refillAllocCache(t: MSpanTable, s: number, whichByte: number): void {
  const v = t.v;
  const u = v.u32;
  const w = (s - v.base) / 4;
  const b = u[w + W_allocBits]! + whichByte / 4;
  u[w + W_cacheLo] = ~u[b]!;
  u[w + W_cacheHi] = ~u[b + 1]!;
}

/**
 * Go's `mspan.nextFreeIndex`: the index of the next free object at or after
 * freeindex, or nelems when the span is full. Advances freeindex past the
 * returned object and refills the cache at 64-object boundaries. The caller
 * counts the allocation (allocCount) as Go's `mcache.nextFree` does.
 */
export function nextFreeIndex(t: MSpanTable, s: number): number {
  const v = t.v;
  const u = v.u32;
  const w = (s - v.base) / 4;
  let sfreeindex = u[w + W_freeindex]!;
  const snelems = u[w + W_nelems]!;
  if (sfreeindex === snelems) return sfreeindex;
  if (sfreeindex > snelems) throw new RuntimeThrow("s.freeindex > s.nelems");
  let lo = u[w + W_cacheLo]!;
  let hi = u[w + W_cacheHi]!;
  let bitIndex = trailingZeros64(lo, hi);
  while (bitIndex === 64) {
    sfreeindex = (sfreeindex + 64) & ~63;
    if (sfreeindex >= snelems) {
      u[w + W_freeindex] = snelems;
      return snelems;
    }
    refillAllocCache(t, s, sfreeindex >>> 3);
    lo = u[w + W_cacheLo]!;
    hi = u[w + W_cacheHi]!;
    bitIndex = trailingZeros64(lo, hi);
  }
  const result = sfreeindex + bitIndex;
  if (result >= snelems) {
    u[w + W_freeindex] = snelems;
    return snelems;
  }
  shiftAllocCache(u, w, lo, hi, bitIndex + 1);
  sfreeindex = result + 1;
  if ((sfreeindex & 63) === 0 && sfreeindex !== snelems) refillAllocCache(t, s, sfreeindex >>> 3);
  u[w + W_freeindex] = sfreeindex;
  return result;
}

/**
 * Go's `mcache.nextFree` on one span, without the refill: nextFreeFast, else
 * nextFreeIndex. Returns the object's address, or 0 when the span is full.
 */
export function nextFree(t: MSpanTable, s: number): number {
  const p = nextFreeFast(t, s);
  if (p !== 0) return p;
  const idx = nextFreeIndex(t, s);
  const v = t.v;
  const w = (s - v.base) / 4;
  if (idx === v.u32[w + W_nelems]) return 0;
  v.u32[w + W_allocCount] = v.u32[w + W_allocCount]! + 1;
  return idx * v.f64[w / 2 + D_elemsize]! + v.f64[w / 2 + D_start]!;
}

/**
 * Go's `mspan.isFree`: whether object `index` is unallocated (index ≥
 * freeindex and its alloc bit is 0). Objects freed but not yet swept count as
 * allocated.
 */
export function isFree(t: MSpanTable, s: number, index: number): boolean {
  const v = t.v;
  const w = (s - v.base) / 4;
  if (index < v.u32[w + W_freeindex]!) return false;
  const b = v.u32[w + W_allocBits]!;
  return ((v.u32[b + (index >>> 5)]! >>> (index & 31)) & 1) === 0;
}

/** Go's `mspan.divideByElemSize`: n / elemsize by divMagic, for 0 ≤ n ≤ npages·pageSize. */
export function divideByElemSize(t: MSpanTable, s: number, n: number): number {
  const v = t.v;
  return mulHi32(n, v.u32[(s - v.base) / 4 + W_divMul]!);
}

/** Go's `mspan.objIndex`: the index of the object holding address p. */
export function objIndex(t: MSpanTable, s: number, p: number): number {
  const v = t.v;
  const w = (s - v.base) / 4;
  return mulHi32(p - v.f64[w / 2 + D_start]!, v.u32[w + W_divMul]!);
}

/** Go's `mspan.countAlloc`: the number of set bits in gcmarkBits. */
export function countAlloc(t: MSpanTable, s: number): number {
  const v = t.v;
  const w = (s - v.base) / 4;
  const b = v.u32[w + W_gcmarkBits]!;
  const n = ((v.u32[w + W_nelems]! + 63) >>> 6) * 2;
  let count = 0;
  for (let i = 0; i < n; i++) count += onesCount32(v.u32[b + i]!);
  return count;
}

/**
 * Stores the 64-bit allocCache (lo, hi) of the span at u32 word w shifted
 * right by k bits, 1 ≤ k ≤ 64 (Go's `s.allocCache >>= uint(theBit + 1)`).
 */
function shiftAllocCache(u: Uint32Array, w: number, lo: number, hi: number, k: number): void {
  if (k === 64) {
    u[w + W_cacheLo] = 0;
    u[w + W_cacheHi] = 0;
  } else if (k < 32) {
    u[w + W_cacheLo] = (lo >>> k) | (hi << (32 - k));
    u[w + W_cacheHi] = hi >>> k;
  } else {
    u[w + W_cacheLo] = hi >>> (k - 32);
    u[w + W_cacheHi] = 0;
  }
}
