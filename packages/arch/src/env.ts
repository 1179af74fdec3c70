/**
 * The inputs every formula module reads (the Go version, the goos and goarch
 * flags, the goarch constants) and the helpers that keep Go's constant
 * arithmetic exact in JavaScript: shifts by more than 31 bits as
 * multiplications, truncating integer division, and bigint only where a value
 * passes 2^53. Runs once per profile, never on a hot path. See
 * docs/design.md, "Managed memory" (addresses are plain numbers).
 */
import type { GoarchConstants, GoarchFlags } from "./goarch.js";
import type { GoosFlags } from "./goos.js";
import type { GoVersion } from "./versions.js";

/** What a formula module is computed from. */
export interface FormulaEnv {
  readonly version: GoVersion;
  readonly o: GoosFlags;
  readonly a: GoarchFlags;
  readonly g: GoarchConstants;
}

const maxExact = 2n ** 53n;

/** `x << n` for Go untyped integer constants, exact up to 2^53. */
export function shl(x: number, n: number): number {
  return x * 2 ** n;
}

/** Go's integer division of constants (truncates toward zero). */
export function div(x: number, y: number): number {
  return Math.trunc(x / y);
}

/** A bigint result as a number when it is within ±2^53, else as the bigint. */
export function exact(v: bigint): number | bigint {
  return v <= maxExact && v >= -maxExact ? Number(v) : v;
}

/** Go's constant conversion of an untyped float to an integer type: exact or refused, as the compiler does. */
export function toInt(x: number, what: string): number {
  if (!Number.isInteger(x)) throw new RangeError(`constant ${x} truncated converting ${what} to an integer`);
  return x;
}
