/**
 * pallocBits, pageBits and pallocData: the per-chunk page bitmaps of the page
 * allocator (Go's mpallocbits.go), read and written in managed memory.
 *
 * A chunk bitmap has one bit per page (1 = in use) and sits in a Uint32Array
 * at a word offset: Go's 64-bit word `i` is the u32 pair `(off + 2i, off + 2i + 1)`,
 * low half first, so bit `k` of the chunk is bit `k & 31` of u32 `off + (k >>> 5)`,
 * the same bytes Go has on a little-endian machine. A `pallocData` is the
 * alloc bitmap followed by the scavenged bitmap. `PallocBits` is a reusable
 * cursor (`at(u32, off)`) so the page allocator walks many chunks without
 * allocating; results beyond the first (Go's second return values and
 * summaries) land in its fields. The chunk size is a parameter (512 pages on
 * most profiles, 64 on js/wasm since Go 1.26). See docs/design.md,
 * "Managed memory".
 */
import { leadingZeros64, onesCount32, trailingZeros32, trailingZeros64 } from "@gomalloc/span";

/** Go's `^uint(0)` result of the find family: no run was found. */
export const findFailed = -1;

// ---------------------------------------------------------------------------
// pageBits: plain bit-range operations on a chunk bitmap.

/** Bit `i` of the bitmap at `u32[off..]`. Go: `pageBits.get`. */
export function pageBitsGet(u32: Uint32Array, off: number, i: number): number {
  return (u32[off + (i >>> 5)]! >>> (i & 31)) & 1;
}

/** Sets bit `i`. Go: `pageBits.set`. */
export function pageBitsSet(u32: Uint32Array, off: number, i: number): void {
  u32[off + (i >>> 5)] |= 1 << (i & 31);
}

/** Clears bit `i`. Go: `pageBits.clear`. */
export function pageBitsClear(u32: Uint32Array, off: number, i: number): void {
  u32[off + (i >>> 5)] &= ~(1 << (i & 31));
}

// The masks below are computed where they are used: a u32 mask of 2^31 or more returned from (or
// passed to) a call V8 does not inline is boxed as a heap number, and these run on every page alloc.

/** Sets bits `[a, b)` of word `u32[k]`, 0 ≤ a < b ≤ 32. */
function setBits32(u32: Uint32Array, k: number, a: number, b: number): void {
  u32[k] |= (b === 32 ? -1 : (1 << b) - 1) & ~((1 << a) - 1);
}

/** Clears bits `[a, b)` of word `u32[k]`, 0 ≤ a < b ≤ 32. */
function clearBits32(u32: Uint32Array, k: number, a: number, b: number): void {
  u32[k] &= ~((b === 32 ? -1 : (1 << b) - 1) & ~((1 << a) - 1));
}

/** Number of set bits among bits `[a, b)` of word `u32[k]`, 0 ≤ a < b ≤ 32. */
function countBits32(u32: Uint32Array, k: number, a: number, b: number): number {
  return onesCount32(u32[k]! & (b === 32 ? -1 : (1 << b) - 1) & ~((1 << a) - 1));
}

/** Sets bits `[i, i+n)`, n ≥ 1. Go: `pageBits.setRange`. */
export function pageBitsSetRange(u32: Uint32Array, off: number, i: number, n: number): void {
  const j = i + n; // exclusive
  let w = i >>> 5;
  const we = (j - 1) >>> 5;
  if (w === we) {
    setBits32(u32, off + w, i & 31, j - (w << 5));
    return;
  }
  setBits32(u32, off + w, i & 31, 32);
  for (w++; w < we; w++) u32[off + w] = 0xffffffff;
  setBits32(u32, off + we, 0, j - (we << 5));
}

/** Clears bits `[i, i+n)`, n ≥ 1. Go: `pageBits.clearRange`. */
export function pageBitsClearRange(u32: Uint32Array, off: number, i: number, n: number): void {
  const j = i + n;
  let w = i >>> 5;
  const we = (j - 1) >>> 5;
  if (w === we) {
    clearBits32(u32, off + w, i & 31, j - (w << 5));
    return;
  }
  clearBits32(u32, off + w, i & 31, 32);
  for (w++; w < we; w++) u32[off + w] = 0;
  clearBits32(u32, off + we, 0, j - (we << 5));
}

/** Number of set bits in `[i, i+n)`, n ≥ 1. Go: `pageBits.popcntRange`. */
export function pageBitsPopcntRange(u32: Uint32Array, off: number, i: number, n: number): number {
  const j = i + n;
  let w = i >>> 5;
  const we = (j - 1) >>> 5;
  if (w === we) return countBits32(u32, off + w, i & 31, j - (w << 5));
  let s = countBits32(u32, off + w, i & 31, 32);
  for (w++; w < we; w++) s += onesCount32(u32[off + w]!);
  return s + countBits32(u32, off + we, 0, j - (we << 5));
}

// A chunk bitmap is 2 to 16 words: stores in a loop, not TypedArray `fill` (a builtin call whose
// fixed cost is tens of ns).

/** Sets `nwords` u32 words from `off` to all ones. Go: `pageBits.setAll`. */
export function pageBitsSetAll(u32: Uint32Array, off: number, nwords: number): void {
  for (let k = off; k < off + nwords; k++) u32[k] = 0xffffffff;
}

/** Clears `nwords` u32 words from `off`. Go: `pageBits.clearAll`. */
export function pageBitsClearAll(u32: Uint32Array, off: number, nwords: number): void {
  for (let k = off; k < off + nwords; k++) u32[k] = 0;
}

// ---------------------------------------------------------------------------
// findBitRange64: a 64-bit word trick on (lo, hi) halves.

/**
 * Index of the first run of `n` consecutive one bits in the 64-bit word
 * `hi:lo`, or a number ≥ 64 when there is none; `n` ≥ 1. Go: `findBitRange64`.
 * Each step ANDs the word with itself shifted down, which trims one bit off the
 * top of every run; doubling the shift trims runs in O(log n) steps.
 */
export function findBitRange64(lo: number, hi: number, n: number): number {
  // The halves stay int32 and the shifts are written out (no shr64Lo/shr64Hi calls): a u32 of
  // 2^31 or more passed through a call V8 does not inline is boxed, and page allocs run this.
  lo |= 0;
  hi |= 0;
  let p = n - 1;
  let k = 1;
  while (p > 0) {
    const last = p <= k;
    const s = last ? p : k; // 0 < s < 64
    if (s < 32) {
      lo &= (lo >>> s) | (hi << (32 - s));
      hi &= hi >>> s;
    } else {
      lo &= hi >>> (s - 32);
      hi = 0;
    }
    if (last) break;
    if ((lo | hi) === 0) return 64;
    p -= k;
    k *= 2;
  }
  return trailingZeros64(lo, hi);
}

// ---------------------------------------------------------------------------
// pallocBits: a cursor over one chunk's alloc bitmap.

/**
 * Go's `pallocBits` (and, with {@link PallocBits.scavOff}, `pallocData`): a
 * reusable cursor over one chunk bitmap in managed memory. Point it at a chunk
 * with {@link PallocBits.at}; results beyond the first land in fields.
 *
 * Invariants:
 * - PB1: bit k of the chunk (0 ≤ k < pallocChunkPages) is 1 iff page k is in use.
 * - PB2 (pallocData): a page is never both in use and scavenged-and-free-marked
 *   by allocRange: allocRange clears the scavenged bits of the pages it takes.
 */
export class PallocBits {
  /** Pages per chunk (Go's pallocChunkPages): 512, or 64 on js/wasm since Go 1.26. */
  readonly pallocChunkPages: number;
  /** Number of Go uint64 words in one bitmap. */
  readonly n64: number;
  /** Number of u32 words in one bitmap. */
  readonly n32: number;
  /** Words from the alloc bitmap to the scavenged bitmap of a pallocData. */
  readonly scavOff: number;
  /** Memory the cursor points into. */
  u32: Uint32Array;
  /** u32 index of the chunk's alloc bitmap. */
  off: number;
  /** Second result of the last find: the first free page seen (Go's new searchIdx). */
  newSearchIdx: number;
  /** Result of the last summarize: free pages at the start of the chunk. */
  sumStart: number;
  /** Result of the last summarize: longest run of free pages. */
  sumMax: number;
  /** Result of the last summarize: free pages at the end of the chunk. */
  sumEnd: number;
  /** Second result of the last findScavengeCandidate: the candidate's length in pages. */
  candidateSize: number;

  /** @param pallocChunkPages - pages per chunk, a multiple of 64. */
  constructor(pallocChunkPages: number) {
    if (pallocChunkPages < 64 || pallocChunkPages % 64 !== 0) {
      throw new RangeError(`PallocBits: pallocChunkPages ${pallocChunkPages} must be a positive multiple of 64`);
    }
    this.pallocChunkPages = pallocChunkPages;
    this.n64 = pallocChunkPages / 64;
    this.n32 = pallocChunkPages / 32;
    this.scavOff = this.n32;
    this.u32 = new Uint32Array(0);
    this.off = 0;
    this.newSearchIdx = 0;
    this.sumStart = 0;
    this.sumMax = 0;
    this.sumEnd = 0;
    this.candidateSize = 0;
  }

  /** Points the cursor at the bitmap at `u32[off..]`; returns this. */
  at(u32: Uint32Array, off: number): this {
    this.u32 = u32;
    this.off = off;
    return this;
  }

  /**
   * Computes the chunk's summary into `sumStart`, `sumMax`, `sumEnd`.
   * Go: `pallocBits.summarize` (same scan, over u32 words: leading and trailing
   * zero runs of each word, then the run-shrinking search inside words only
   * when a word could still beat the best run).
   */
  summarize(): void {
    const u32 = this.u32;
    const off = this.off;
    const n = this.n32;
    let start = -1;
    let most = 0;
    let cur = 0;
    for (let i = 0; i < n; i++) {
      const x = u32[off + i]!;
      if (x === 0) {
        cur += 32;
        continue;
      }
      cur += trailingZeros32(x);
      if (start < 0) start = cur;
      if (cur > most) most = cur;
      cur = Math.clz32(x);
    }
    if (start < 0) {
      const all = this.pallocChunkPages;
      this.sumStart = all;
      this.sumMax = all;
      this.sumEnd = all;
      return;
    }
    if (cur > most) most = cur;
    if (most < 32 - 2) {
      // A run strictly inside one word may still be longer than `most`.
      for (let i = 0; i < n; i++) {
        let x = u32[off + i]!;
        x = x >>> trailingZeros32(x);
        if (((x & (x + 1)) | 0) === 0) continue;
        let p = most;
        let k = 1;
        for (;;) {
          let done = false;
          while (p > 0) {
            if (p <= k) {
              x = (x | (x >>> p)) >>> 0;
              if (((x & (x + 1)) | 0) === 0) done = true;
              break;
            }
            x = (x | (x >>> k)) >>> 0;
            if (((x & (x + 1)) | 0) === 0) {
              done = true;
              break;
            }
            p -= k;
            k *= 2;
          }
          if (done) break;
          let j = trailingZeros32(~x);
          x = j >= 32 ? 0 : x >>> j;
          j = trailingZeros32(x);
          x = j >= 32 ? 0 : x >>> j;
          most += j;
          if (((x & (x + 1)) | 0) === 0) break;
          p = j;
        }
      }
    }
    this.sumStart = start;
    this.sumMax = most;
    this.sumEnd = cur;
  }

  /**
   * First run of `npages` free pages at or after the 64-page block holding
   * `searchIdx`; returns its index or -1, and sets {@link newSearchIdx} to the
   * first free page seen (meaningless on failure). Go: `pallocBits.find`.
   */
  find(npages: number, searchIdx: number): number {
    if (npages === 1) {
      const a = this.find1(searchIdx);
      this.newSearchIdx = a;
      return a;
    }
    if (npages <= 64) return this.findSmallN(npages, searchIdx);
    return this.findLargeN(npages, searchIdx);
  }

  /** First free page at or after the 64-page block holding `searchIdx`, or -1. Go: `pallocBits.find1`. */
  find1(searchIdx: number): number {
    const u32 = this.u32;
    const off = this.off;
    for (let i = (searchIdx >>> 6) * 2; i < this.n32; i++) {
      const x = u32[off + i]!;
      if (x === 0xffffffff) continue; // (x is only passed on inverted: an int32)
      return i * 32 + trailingZeros32(~x);
    }
    return findFailed;
  }

  /** find for 2 ≤ npages ≤ 64: a run crosses at most one 64-bit boundary. Go: `pallocBits.findSmallN`. */
  findSmallN(npages: number, searchIdx: number): number {
    const u32 = this.u32;
    const off = this.off;
    let end = 0;
    let newSearchIdx = findFailed;
    for (let i = searchIdx >>> 6; i < this.n64; i++) {
      const lo = u32[off + 2 * i]! | 0; // int32: see findBitRange64
      const hi = u32[off + 2 * i + 1]! | 0;
      if (lo === -1 && hi === -1) {
        end = 0;
        continue;
      }
      if (newSearchIdx === findFailed) newSearchIdx = i * 64 + trailingZeros64(~lo, ~hi);
      const start = trailingZeros64(lo, hi);
      if (end + start >= npages) {
        this.newSearchIdx = newSearchIdx;
        return i * 64 - end;
      }
      const j = findBitRange64(~lo, ~hi, npages);
      if (j < 64) {
        this.newSearchIdx = newSearchIdx;
        return i * 64 + j;
      }
      end = leadingZeros64(lo, hi);
    }
    this.newSearchIdx = newSearchIdx;
    return findFailed;
  }

  /** find for npages > 64: a run crosses at least one 64-bit boundary. Go: `pallocBits.findLargeN`. */
  findLargeN(npages: number, searchIdx: number): number {
    const u32 = this.u32;
    const off = this.off;
    let start = findFailed;
    let size = 0;
    let newSearchIdx = findFailed;
    for (let i = searchIdx >>> 6; i < this.n64; i++) {
      const lo = u32[off + 2 * i]! | 0; // int32: see findBitRange64
      const hi = u32[off + 2 * i + 1]! | 0;
      if (lo === -1 && hi === -1) {
        size = 0;
        continue;
      }
      if (newSearchIdx === findFailed) newSearchIdx = i * 64 + trailingZeros64(~lo, ~hi);
      if (size === 0) {
        size = leadingZeros64(lo, hi);
        start = i * 64 + 64 - size;
        continue;
      }
      const s = trailingZeros64(lo, hi);
      if (s + size >= npages) {
        this.newSearchIdx = newSearchIdx;
        return start;
      }
      if (s < 64) {
        size = leadingZeros64(lo, hi);
        start = i * 64 + 64 - size;
        continue;
      }
      size += 64;
    }
    this.newSearchIdx = newSearchIdx;
    if (size < npages) return findFailed;
    return start;
  }

  /** Marks pages `[i, i+n)` in use, n ≥ 1. Go: `pallocBits.allocRange`. */
  allocRange(i: number, n: number): void {
    pageBitsSetRange(this.u32, this.off, i, n);
  }

  /** Marks every page in use. Go: `pallocBits.allocAll`. */
  allocAll(): void {
    pageBitsSetAll(this.u32, this.off, this.n32);
  }

  /** Frees page `i`. Go: `pallocBits.free1`. */
  free1(i: number): void {
    pageBitsClear(this.u32, this.off, i);
  }

  /** Frees pages `[i, i+n)`, n ≥ 1. Go: `pallocBits.free`. */
  free(i: number, n: number): void {
    pageBitsClearRange(this.u32, this.off, i, n);
  }

  /** Frees every page. Go: `pallocBits.freeAll`. */
  freeAll(): void {
    pageBitsClearAll(this.u32, this.off, this.n32);
  }

  /** Low half of the 64-page block holding page `i` (1 = in use). Go: `pallocBits.pages64`. */
  pages64Lo(i: number): number {
    return this.u32[this.off + (i >>> 6) * 2]!;
  }

  /** High half of the 64-page block holding page `i`. */
  pages64Hi(i: number): number {
    return this.u32[this.off + (i >>> 6) * 2 + 1]!;
  }

  /** ORs `hi:lo` into the 64-page block holding page `i`. Go: `pallocBits.allocPages64`. */
  allocPages64(i: number, lo: number, hi: number): void {
    const w = this.off + (i >>> 6) * 2;
    this.u32[w] |= lo;
    this.u32[w + 1] |= hi;
  }

  // -- pallocData: the scavenged bitmap follows the alloc bitmap. --

  /** Marks `[i, i+n)` in use and clears their scavenged bits. Go: `pallocData.allocRange`. */
  dataAllocRange(i: number, n: number): void {
    pageBitsSetRange(this.u32, this.off, i, n);
    pageBitsClearRange(this.u32, this.off + this.scavOff, i, n);
  }

  /** Marks every page in use and clears every scavenged bit. Go: `pallocData.allocAll`. */
  dataAllocAll(): void {
    pageBitsSetAll(this.u32, this.off, this.n32);
    pageBitsClearAll(this.u32, this.off + this.scavOff, this.n32);
  }
}
