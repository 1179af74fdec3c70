/**
 * The seeded random source behind the trace generators: xoshiro128** (Blackman
 * and Vigna) on four u32 words, seeded from one safe integer through
 * splitmix32. Every draw uses only 32-bit integer operations and exactly
 * rounded IEEE arithmetic (no `Math.log`, `Math.exp` or `Math.random`), so a
 * seed gives the same trace on every JavaScript engine. See docs/design.md.
 *
 * @module
 */
import { InvalidTraceOption } from "./errors.js";

const two32 = 4294967296;

/** A deterministic 32-bit generator (xoshiro128**) with the draws the generators need. */
export class TraceRand {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** @param seed - a safe non-negative integer; throws {@link InvalidTraceOption} otherwise. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new InvalidTraceOption("seed", seed, "want a safe non-negative integer");
    }
    // splitmix32 over the low and high halves fills the four words; xoshiro needs a non-zero state.
    let x = ((seed % two32) ^ Math.imul(Math.floor(seed / two32), 0x632be5ab)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next value, an integer in [0, 2^32). */
  u32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.u32() >>> 5; // 27 bits
    const lo = this.u32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n), for a positive integer n ≤ 2^53 (bias below n / 2^53). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** A uniform integer in [lo, hi] (inclusive), for integers lo ≤ hi. */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Draws geometric variates `L ≥ 1` with `P(L = k) = (1 − p)^(k−1) p`, mean
 * `1/p`, by inverting the survival function `P(L > k) = (1 − p)^k` with a
 * table of `(1 − p)^(2^j)` built by repeated squaring (exactly rounded
 * multiplications only).
 */
export class Geometric {
  /** The mean, 1/p. */
  readonly mean: number;
  private readonly pow: Float64Array;

  /** @param mean - the mean lifetime, a finite number ≥ 1; throws {@link InvalidTraceOption} otherwise. */
  constructor(mean: number) {
    if (!Number.isFinite(mean) || mean < 1)
      throw new InvalidTraceOption("meanLifetime", mean, "want a finite number ≥ 1");
    this.mean = mean;
    const q = 1 - 1 / mean;
    // pow[j] = q^(2^j); 48 levels cover lifetimes up to 2^48.
    this.pow = new Float64Array(48);
    let v = q;
    for (let j = 0; j < 48; j++) {
      this.pow[j] = v;
      v *= v;
    }
  }

  /** Draws one variate from `rand`. */
  draw(rand: TraceRand): number {
    // u is uniform in (0, 1]. L − 1 is the largest k with q^k > u (q^k falls as k grows, so
    // P(L − 1 ≥ k) = q^k), found greedily from the highest power of two down.
    const u = 1 - rand.float();
    let acc = 1;
    let k = 0;
    for (let j = 47; j >= 0; j--) {
      const next = acc * this.pow[j]!;
      if (next > u) {
        acc = next;
        k += 2 ** j;
      }
    }
    // When q = 0 (mean 1) every product is 0 and k stays 0: L = 1 always.
    return k + 1;
  }
}
