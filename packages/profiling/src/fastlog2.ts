/**
 * Go's `fastlog2` (fastlog2.go) and the table it interpolates in
 * (fastlog2table.go, written by mkfastlog2table.go). The table is computed at
 * load time by a port of mkfastlog2table.go's `computeTable`, whose private
 * `log2`/`nlog` round every step to float64 (Go disables FMA there; JavaScript
 * never fuses), so it equals Go's table bit for bit — the tests check it
 * against the table read out of both Go 1.19's and Go 1.26's runtime. Heap
 * sampling uses `fastlog2` to turn a uniform draw into an exponential one
 * without a full `log`. See docs/design.md and the package README.
 *
 * @module
 */

/** Go's `fastlogNumBits`: the table has `2^5 + 1` entries. */
export const fastlogNumBits = 5;

const fastlogScaleBits = 20;
const fastlogScaleRatio = 1.0 / (1 << fastlogScaleBits);

// One scratch buffer for float64 ↔ bits, little-endian on every host.
const scratch = new DataView(new ArrayBuffer(8));

/**
 * Go's `math.Frexp`: splits `f` into a fraction in [0.5, 1) and a power of two
 * with `f == frac * 2^exp`. ±0, ±Inf and NaN return themselves with exponent 0.
 */
export function frexp(f: number): [frac: number, exp: number] {
  if (f === 0 || !Number.isFinite(f)) return [f, 0];
  let exp = 0;
  if (Math.abs(f) < 2.2250738585072014e-308) {
    f *= 4503599627370496; // 2^52: normalise a subnormal
    exp = -52;
  }
  scratch.setFloat64(0, f, true);
  const hi = scratch.getUint32(4, true);
  exp += ((hi >>> 20) & 0x7ff) - 1023 + 1;
  scratch.setUint32(4, ((hi & ~(0x7ff << 20)) | ((-1 + 1023) << 20)) >>> 0, true);
  return [scratch.getFloat64(0, true), exp];
}

/**
 * mkfastlog2table.go's `nlog`: fdlibm's log with every step rounded to float64.
 * The constants are Go's, written as the shortest decimals of the same float64s.
 */
function nlog(x: number): number {
  const Ln2Hi = 0.6931471803691238;
  const Ln2Lo = 1.9082149292705877e-10;
  const L1 = 0.6666666666666735;
  const L2 = 0.3999999999940942;
  const L3 = 0.2857142874366239;
  const L4 = 0.22222198432149784;
  const L5 = 0.1818357216161805;
  const L6 = 0.15313837699209373;
  const L7 = 0.14798198605116586;
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x < 0) return Number.NaN;
  if (x === 0) return Number.NEGATIVE_INFINITY;
  let [f1, ki] = frexp(x);
  if (f1 < Math.SQRT1_2) {
    // Go's untyped Sqrt2/2 rounds to the same float64.
    f1 *= 2;
    ki--;
  }
  const f = f1 - 1;
  const k = ki;
  const s = f / (2 + f);
  const s2 = s * s;
  const s4 = s2 * s2;
  const t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)));
  const t2 = s4 * (L2 + s4 * (L4 + s4 * L6));
  const R = t1 + t2;
  const hfsq = 0.5 * f * f;
  return k * Ln2Hi - (hfsq - (s * (hfsq + R) + k * Ln2Lo) - f);
}

/** mkfastlog2table.go's `log2`: exact at powers of two, else `nlog(frac)/ln 2 + exp`. */
function log2(x: number): number {
  const [frac, exp] = frexp(x);
  if (frac === 0.5) return exp - 1;
  return nlog(frac) * Math.LOG2E + exp; // Go's untyped 1/Ln2 rounds to this float64.
}

/** mkfastlog2table.go's `computeTable`: `log2(1 + i/2^fastlogNumBits)` for i = 0..2^fastlogNumBits. */
export function computeFastlog2Table(): Float64Array {
  const n = 1 << fastlogNumBits;
  const t = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) t[i] = log2(1.0 + i / n);
  return t;
}

const table = computeFastlog2Table();

/**
 * Go's `fastlog2Table`: log2 of 1, 1+1/32, …, 2 (33 entries), equal bit for bit
 * to the generated table in Go's runtime.
 */
export const fastlog2Table: readonly number[] = Object.freeze(Array.from(table));

/**
 * Go's `fastlog2(x)`: the float64 exponent of `x` plus log2 of its mantissa,
 * read from {@link fastlog2Table} with the top 5 mantissa bits and linearly
 * interpolated with the next 20. Defined for every float64 (it reads bits; the
 * sign is ignored, 0 gives -1023); meaningful for x > 0.
 */
export function fastlog2(x: number): number {
  scratch.setFloat64(0, x, true);
  const lo = scratch.getUint32(0, true);
  const hi = scratch.getUint32(4, true);
  const xExp = ((hi >>> 20) & 0x7ff) - 1023;
  const xManIndex = (hi >>> 15) & 31; // bits 47..51
  const xManScale = (hi & 0x7fff) * 32 + (lo >>> 27); // bits 27..46
  const low = table[xManIndex]!;
  const high = table[xManIndex + 1]!;
  return xExp + low + (high - low) * xManScale * fastlogScaleRatio;
}
