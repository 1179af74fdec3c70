/**
 * Division by an object size through a 32-bit magic multiplier, as Go's
 * mspan.divideByElemSize does: `n / size == (n * divMul) >> 32` with
 * `divMul = ^uint32(0)/size + 1`, for every offset `n` in a span of that
 * size class (mksizeclasses checks it). The 64-bit product of two uint32s does
 * not fit a double, so the multiply is split into 16-bit halves of `divMul`;
 * no BigInt, no allocation. See docs/design.md, "Managed memory".
 */
import { SizeClassRangeError } from "./errors.js";

const TWO16 = 65536;
const TWO32 = 4294967296;

/**
 * Go's magic multiplier for `size`: `^uint32(0)/size + 1` in uint32
 * arithmetic (so size 1 wraps to 0, which is why the generator refuses it).
 *
 * @param size - an integer in [1, 2^32).
 * @throws SizeClassRangeError for any other size.
 */
export function divMagic(size: number): number {
  if (!(size >>> 0 === size && size !== 0)) throw new SizeClassRangeError("divMagic", size, "an integer in [1, 2^32)");
  return (Math.floor((TWO32 - 1) / size) + 1) >>> 0;
}

/**
 * `uint32((uint64(n) * uint64(divMul)) >> 32)`: the high word of the 64-bit
 * product, exactly. Go's `divideByElemSize`; with a size class's divMagic it
 * is `floor(n / size)` for every n in [0, npages * pageSize].
 *
 * Why it is exact: with `divMul = h * 2^16 + l` (h, l < 2^16),
 * `n * divMul = (n*h) * 2^16 + n*l`; both products are below 2^48 and exact,
 * and `floor((A * 2^16 + B) / 2^32) = floor((A + floor(B / 2^16)) / 2^16)`
 * for integers A, B ≥ 0, where every intermediate stays below 2^49.
 *
 * @param n - an integer in [0, 2^32).
 * @param divMul - an integer in [0, 2^32).
 * @throws SizeClassRangeError when either argument is outside [0, 2^32) or not an integer.
 */
export function divideByElemSize(n: number, divMul: number): number {
  if (!(n >>> 0 === n && divMul >>> 0 === divMul)) {
    throw new SizeClassRangeError("divideByElemSize", n >>> 0 === n ? divMul : n, "an integer in [0, 2^32)");
  }
  return mulhi32(n, divMul);
}

/**
 * The unchecked core of {@link divideByElemSize}, for callers that already
 * hold uint32 values. Internal: not exported from the package.
 */
export function mulhi32(n: number, divMul: number): number {
  const hi = n * (divMul >>> 16);
  const lo = n * (divMul & 0xffff);
  return Math.floor((hi + Math.floor(lo / TWO16)) / TWO16);
}

/**
 * The smallest n in [0, max] with mulhi32(n, m) ≠ floor(n / d), or −1.
 * Same answer as Go's loop over every n: mulhi32(·, m) never decreases, so on
 * each run [q·d, q·d + d − 1] it equals q everywhere iff it does at both ends,
 * and inside the first bad run the bad offsets are a prefix or a suffix.
 */
export function firstBadOffset(d: number, m: number, max: number): number {
  for (let lo = 0, q = 0; lo <= max; lo += d, q++) {
    const hi = Math.min(lo + d - 1, max);
    if (mulhi32(lo, m) !== q) return lo;
    if (mulhi32(hi, m) !== q) {
      let a = lo; // mulhi32(a) = q, mulhi32(hi) > q: find the first offset past q
      let b = hi;
      while (b - a > 1) {
        const mid = Math.floor((a + b) / 2);
        if (mulhi32(mid, m) === q) a = mid;
        else b = mid;
      }
      return b;
    }
  }
  return -1;
}
