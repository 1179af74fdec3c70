/**
 * pallocSum: the packed (start, max, end) summary of a region of pages, the
 * node type of the page allocator's radix tree (Go's mpagealloc.go).
 *
 * Go packs three counts of `logMaxPackedValue` bits each into a uint64: start
 * in bits `[0, L)`, max in `[L, 2L)`, end in `[2L, 3L)`, and uses bit 63 alone
 * for the one case where all three equal `maxPackedValue = 1 << L` (a wholly
 * free root entry). L is `logPallocChunkPages + (summaryLevels-1)*summaryLevelBits`
 * (21 on 64-bit profiles, 18 on 32-bit ones, 15 on js/wasm since Go 1.26).
 * Here the uint64 is a u32 pair `(lo, hi)` at `u32[i], u32[i+1]`, with Go's
 * exact bit layout, so summaries compare bit for bit with Go's. See
 * docs/design.md, "Managed memory".
 */

const FLAG = 0x80000000;

// All fields are at most 21 bits (L ≤ 21), so every shift below is by less
// than 32 and `1 << L` is exact; start lives in the low word, end in the high
// word once 2L ≥ 32, and max straddles the two.

/** Go's `start()` of the summary `hi:lo` with field width `L`. */
export function pallocSumStart(lo: number, hi: number, L: number): number {
  if ((hi & FLAG) !== 0) return 1 << L;
  return lo & ((1 << L) - 1);
}

/** Go's `max()` of the summary `hi:lo`. */
export function pallocSumMax(lo: number, hi: number, L: number): number {
  if ((hi & FLAG) !== 0) return 1 << L;
  return ((lo >>> L) | (hi << (32 - L))) & ((1 << L) - 1);
}

/** Go's `end()` of the summary `hi:lo`. */
export function pallocSumEnd(lo: number, hi: number, L: number): number {
  if ((hi & FLAG) !== 0) return 1 << L;
  const s = 2 * L;
  if (s >= 32) return (hi >>> (s - 32)) & ((1 << L) - 1);
  return ((lo >>> s) | (hi << (32 - s))) & ((1 << L) - 1);
}

// One packing formula, in writePallocSum; the two halves are read back from here.
const packed = new Uint32Array(2);

/** Low half of Go's `packPallocSum(start, max, end)`. */
export function packPallocSumLo(start: number, max: number, end: number, L: number): number {
  writePallocSum(packed, 0, start, max, end, L);
  return packed[0]!;
}

/** High half of Go's `packPallocSum(start, max, end)` (start never reaches the high half: L ≤ 21). */
export function packPallocSumHi(start: number, max: number, end: number, L: number): number {
  writePallocSum(packed, 0, start, max, end, L);
  return packed[1]!;
}

/**
 * Writes Go's `packPallocSum(start, max, end)` into `u32[i], u32[i+1]` and
 * returns whether that changed them. The two halves are computed here, not
 * through {@link packPallocSumLo}/{@link packPallocSumHi}: a u32 of 2^31 or
 * more returned from a call V8 did not inline is boxed as a heap number, and
 * the page allocator writes summaries on every alloc and free.
 */
export function writePallocSum(
  u32: Uint32Array,
  i: number,
  start: number,
  max: number,
  end: number,
  L: number,
): boolean {
  let lo = 0;
  let hi = FLAG >>> 0;
  if (max !== 1 << L) {
    const m = (1 << L) - 1;
    const s = 2 * L;
    lo = ((start & m) | ((max & m) << L) | (s < 32 ? (end & m) << s : 0)) >>> 0;
    hi = ((s > 32 ? (max & m) >>> (32 - L) : 0) | (s >= 32 ? (end & m) << (s - 32) : (end & m) >>> (32 - s))) >>> 0;
  }
  if (u32[i] === lo && u32[i + 1] === hi) return false;
  u32[i] = lo;
  u32[i + 1] = hi;
  return true;
}

/**
 * Go's `mergeSummaries`: merges `n` consecutive summaries at `src[si..]`, each
 * covering `2^logMaxPagesPerSum` pages, and writes the combined summary to
 * `dst[di]`. Returns true when the value at `dst[di]` changed.
 *
 * The loop has no data-dependent branches but the two selects: which entries
 * are wholly free, wholly allocated or flagged follows the heap's layout, not
 * a pattern a branch predictor learns (branch-free it runs about 30% faster).
 * Starting from (0, 0, 0) gives entry 0's own fields: max ≥ start for every
 * summary. An all-zero entry (wholly allocated, or never grown) decodes to
 * (0, 0, 0), which leaves start and max as they were (the running max is never
 * below the running end) and restarts end.
 */
export function mergeSummaries(
  src: Uint32Array,
  si: number,
  n: number,
  logMaxPagesPerSum: number,
  dst: Uint32Array,
  di: number,
  L: number,
): boolean {
  const full = 1 << logMaxPagesPerSum;
  const mask = (1 << L) - 1;
  const top = 1 << L;
  const s2 = 2 * L;
  let start = 0;
  let most = 0;
  let end = 0;
  for (let i = 0; i < n; i++) {
    const lo = src[si + 2 * i]! | 0;
    const hi = src[si + 2 * i + 1]! | 0;
    // The three fields decoded at once: f is all ones when the flag (all three = 1 << L) is set.
    const f = hi >> 31;
    const s = (lo & mask & ~f) | (top & f);
    const m = (((lo >>> L) | (hi << (32 - L))) & mask & ~f) | (top & f);
    const e = ((s2 >= 32 ? hi >>> (s2 - 32) : (lo >>> s2) | (hi << (32 - s2))) & mask & ~f) | (top & f);
    // The running start grows only while everything so far is free.
    start += start === i * full ? s : 0;
    // A run may straddle the boundary between the running sum and entry i, or lie inside entry i.
    most = Math.max(most, end + s, m);
    // The running end extends through a wholly free entry, else restarts.
    end = e === full ? end + full : e;
  }
  return writePallocSum(dst, di, start, most, end, L);
}
