/**
 * Bit helpers on 32-bit words and on 64-bit words held as two u32 halves.
 *
 * Go's allocator leans on `math/bits` (`TrailingZeros64`, `OnesCount64`,
 * `LeadingZeros64`) over uint64 bitmap words. JS bitwise operators are 32-bit,
 * so a Go uint64 is a pair `(lo, hi)` here, low word first, exactly as it sits
 * in little-endian memory. Every helper is a pure function of small integers:
 * no BigInt, no allocation, safe for the hot paths. Results of the 64-bit
 * shifts come back one half per call (`shr64Lo`/`shr64Hi`) so that callers
 * keep both halves in locals. See docs/design.md, "Managed memory".
 */

/** Number of trailing zero bits in the u32 `x` (32 when `x` is 0). Go: `bits.TrailingZeros32`. */
export function trailingZeros32(x: number): number {
  x >>>= 0;
  if (x === 0) return 32;
  return 31 - Math.clz32(x & -x);
}

/** Number of leading zero bits in the u32 `x` (32 when `x` is 0). Go: `bits.LeadingZeros32`. */
export function leadingZeros32(x: number): number {
  return Math.clz32(x);
}

/** Number of one bits in the u32 `x`. Go: `bits.OnesCount32`. */
export function onesCount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Trailing zero bits of the 64-bit word `hi:lo` (64 when both are 0). Go: `sys.TrailingZeros64`. */
export function trailingZeros64(lo: number, hi: number): number {
  lo >>>= 0;
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  hi >>>= 0;
  if (hi !== 0) return 63 - Math.clz32(hi & -hi);
  return 64;
}

/** Leading zero bits of the 64-bit word `hi:lo` (64 when both are 0). Go: `sys.LeadingZeros64`. */
export function leadingZeros64(lo: number, hi: number): number {
  if (hi >>> 0 !== 0) return Math.clz32(hi);
  return 32 + Math.clz32(lo);
}

/** One bits in the 64-bit word `hi:lo`. Go: `sys.OnesCount64`. */
export function onesCount64(lo: number, hi: number): number {
  return onesCount32(lo) + onesCount32(hi);
}

/** Low half of `(hi:lo) >> k` for 0 ≤ k < 64 (Go's `x >> (k & 63)`). */
export function shr64Lo(lo: number, hi: number, k: number): number {
  if (k === 0) return lo >>> 0;
  if (k < 32) return ((lo >>> k) | (hi << (32 - k))) >>> 0;
  return hi >>> (k - 32);
}

/** High half of `(hi:lo) >> k` for 0 ≤ k < 64. */
export function shr64Hi(hi: number, k: number): number {
  if (k < 32) return hi >>> k;
  return 0;
}

/** Low half of `(hi:lo) << k` for 0 ≤ k < 64. */
export function shl64Lo(lo: number, k: number): number {
  if (k < 32) return (lo << k) >>> 0;
  return 0;
}

/** High half of `(hi:lo) << k` for 0 ≤ k < 64. */
export function shl64Hi(lo: number, hi: number, k: number): number {
  if (k === 0) return hi >>> 0;
  if (k < 32) return ((hi << k) | (lo >>> (32 - k))) >>> 0;
  return (lo << (k - 32)) >>> 0;
}

/** Low half of the mask with bits `[0, n)` set, for 0 ≤ n ≤ 64 (Go's `1<<n - 1`). */
export function lowMask64Lo(n: number): number {
  if (n >= 32) return 0xffffffff;
  return n === 0 ? 0 : (0xffffffff >>> (32 - n)) >>> 0;
}

/** High half of the mask with bits `[0, n)` set, for 0 ≤ n ≤ 64. */
export function lowMask64Hi(n: number): number {
  if (n <= 32) return 0;
  return (0xffffffff >>> (64 - n)) >>> 0;
}

/**
 * `floor(a * b / 2^32)` for integers 0 ≤ a < 2^32 and 0 ≤ b < 2^32, exactly.
 * This is Go's `(uint64(a) * uint64(b)) >> 32`, the divMagic step of
 * `divideByElemSize`. Splitting `b` keeps every product below 2^53.
 */
export function mulHi32(a: number, b: number): number {
  // The common case (a is an offset inside a span, b a divMagic): a·b < 2^53, exact in a double.
  if (a < 2097152) return Math.floor((a * b) / 4294967296);
  const bh = Math.floor(b / 65536);
  const bl = b - bh * 65536;
  const p = a * bh; // < 2^48
  const ph = Math.floor(p / 65536);
  const pl = p - ph * 65536;
  // a*b = ph*2^32 + pl*2^16 + a*bl, and pl*2^16 + a*bl < 2^32 + 2^48.
  return ph + Math.floor((pl * 65536 + a * bl) / 4294967296);
}
