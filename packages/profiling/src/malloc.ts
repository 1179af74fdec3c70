/**
 * Heap-sampling distances, as malloc.go draws them: `MemProfileRate`,
 * `nextSample` and `fastexprand`. An mcache keeps `nextSample`, the bytes left
 * before the next sampled allocation; each allocation subtracts its size and
 * only when the result goes negative (or the rate changed) does the slow path
 * record a sample and draw a new distance from an exponential distribution
 * whose mean is `MemProfileRate` — so samples form a Poisson process over
 * allocated bytes. `fastexprand` is the same in Go 1.19 and Go 1.26 (checked
 * against both); `nextSample` follows Go 1.26 (Go 1.19 returned 0 for rate 0
 * and left the "off" test to malloc). See docs/design.md and the README.
 *
 * @module
 */
import { InvalidMemProfileRate } from "./errors.js";
import { fastlog2 } from "./fastlog2.js";
import type { CheapRand } from "./rand.js";

/** Go's default `runtime.MemProfileRate`: one sample per 512 KiB allocated, on average. */
export const defaultMemProfileRate = 512 * 1024;

/**
 * The distance {@link nextSample} returns when sampling is off: JavaScript's
 * largest exact integer, standing in for Go's `math.MaxInt64` (no heap can
 * allocate 2^53 bytes, so subtracting sizes never takes it below 0).
 */
export const nextSampleOff = Number.MAX_SAFE_INTEGER;

/** The cap fastexprand puts on its mean so the draw fits an int32 (Go's `0x7000000`). */
export const fastexprandMaxMean = 0x7000000;

const randomBitCount = 26;
const minusLog2 = -Math.LN2; // Go's literal -0.6931471805599453, the same float64

/**
 * Throws {@link InvalidMemProfileRate} unless `rate` is a safe integer ≥ 0.
 * Go's `MemProfileRate` is a plain int with no check; a negative rate there
 * samples nearly every allocation, which is never what a caller meant.
 */
export function checkMemProfileRate(rate: number): void {
  if (typeof rate !== "number" || !Number.isSafeInteger(rate)) {
    throw new InvalidMemProfileRate(rate, "want a safe integer");
  }
  if (rate < 0) throw new InvalidMemProfileRate(rate, "want rate >= 0 (0 turns sampling off, 1 records everything)");
}

/**
 * Go's `fastexprand(mean)`: a draw from the exponential distribution with the
 * given mean, in whole bytes, ≥ 1 for mean > 0. It draws
 * `q = cheaprandn(2^26) + 1`, takes `qlog = min(fastlog2(q) - 26, 0)` and
 * returns `int32(qlog * (-ln2 * mean)) + 1`. Means above {@link fastexprandMaxMean}
 * are capped (the largest draw, about 18·mean, must fit an int32); mean 0
 * returns 0 without drawing. Negative means down to `-0x7000000` are computed
 * as Go computes them (a distance ≤ 1); below that Go's int32 conversion
 * overflows in a machine-dependent way, so they are rejected. Throws
 * {@link InvalidMemProfileRate} unless `mean` is a safe integer ≥ `-0x7000000`.
 *
 * Uses exactly one `rand.cheaprand()` call when mean ≠ 0.
 */
export function fastexprand(mean: number, rand: CheapRand): number {
  if (!Number.isSafeInteger(mean) || mean < -fastexprandMaxMean) {
    throw new InvalidMemProfileRate(mean, "fastexprand wants a safe integer mean >= -0x7000000");
  }
  if (mean > fastexprandMaxMean) mean = fastexprandMaxMean;
  else if (mean === 0) return 0;
  // cheaprandn(1<<26) is the top 26 bits of the 32-bit draw.
  const q = Math.floor(rand.cheaprand() / 64) + 1;
  let qlog = fastlog2(q) - randomBitCount;
  if (qlog > 0) qlog = 0;
  // int32(x) truncates toward zero; |x| < 2^31 after the cap.
  return Math.trunc(qlog * (minusLog2 * mean)) + 1;
}

/**
 * Go 1.26's `nextSample()` for a given rate: the bytes to allocate before the
 * next sample. Rate 0 returns {@link nextSampleOff} (never sample), rate 1
 * returns 0 (sample every allocation, since any size takes 0 below 0), any
 * other rate draws {@link fastexprand}. Throws {@link InvalidMemProfileRate}
 * for a rate {@link checkMemProfileRate} rejects.
 */
export function nextSample(rate: number, rand: CheapRand): number {
  checkMemProfileRate(rate);
  if (rate === 0) return nextSampleOff;
  if (rate === 1) return 0;
  return fastexprand(rate, rand);
}
