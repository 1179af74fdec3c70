/**
 * The cheap random source heap sampling draws from: Go's `cheaprand` (Go 1.26,
 * rand.go) / `fastrand` (Go 1.19, stubs.go). Both versions keep 64 bits of
 * state per M and step it with wyrand on 64-bit platforms whose compiler lowers
 * `math.Mul64` (amd64, arm64, ppc64(le), mips64(le), s390x, riscv64; loong64
 * too in Go 1.26 but not in Go 1.19), and with a xorshift64+ pair of 32-bit sequences everywhere else
 * (386, arm, mips(le), wasm). Here the state is two u32 halves, low word first,
 * and a 64×64-bit product is built from 16-bit limbs: no BigInt. The source is
 * an interface so callers can inject their own; seeded the same way, a run
 * replays the same samples. See docs/design.md and the package README.
 *
 * @module
 */
import { InvalidProfileOption, InvalidSeed } from "./errors.js";

/**
 * A source of uniformly distributed 32-bit values, Go's `cheaprand()`.
 *
 * Invariant R1: every call returns an integer in [0, 2^32).
 */
export interface CheapRand {
  /** Returns the next 32-bit value (an integer in [0, 2^32)) and advances the state. */
  cheaprand(): number;
}

/** A 64-bit seed: a safe non-negative integer, or `[lo, hi]` u32 halves. */
export type Seed64 = number | readonly [lo: number, hi: number];

/** The seed used when none is given: the low and high halves of 0x9e3779b97f4a7c15. */
export const defaultCheapRandSeed: readonly [lo: number, hi: number] = [0x7f4a7c15, 0x9e3779b9];

const two32 = 4294967296;

function isU32(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x < two32;
}

/** Splits a {@link Seed64} into u32 halves, or throws {@link InvalidSeed}. */
function splitSeed(seed: Seed64): [number, number] {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidSeed(seed, "want a safe non-negative integer");
    const hi = Math.floor(seed / two32);
    return [seed - hi * two32, hi];
  }
  if (!Array.isArray(seed) || seed.length !== 2 || !isU32(seed[0]) || !isU32(seed[1])) {
    throw new InvalidSeed(seed, "want [lo, hi] with each half an integer in [0, 2^32)");
  }
  return [seed[0], seed[1]];
}

/**
 * The 64-bit per-M state both of Go's generators step (`mp.cheaprand` in Go
 * 1.26, `mp.fastrand` in Go 1.19), as two u32 halves.
 *
 * Invariant S1: `stateLo` and `stateHi` are integers in [0, 2^32).
 */
export abstract class CheapRandState implements CheapRand {
  /** Low half of the state. */
  protected lo = 0;
  /** High half of the state. */
  protected hi = 0;

  /** Sets the initial state from `seed`; throws {@link InvalidSeed} as {@link CheapRandState.seed} does. */
  constructor(seed: Seed64) {
    this.seed(seed);
  }

  /** Sets the 64-bit state, as Go's runtime sets the per-M field. Throws {@link InvalidSeed}. */
  seed(seed: Seed64): void {
    const [lo, hi] = splitSeed(seed);
    this.accept(seed, lo, hi);
    this.lo = lo;
    this.hi = hi;
  }

  /** Throws {@link InvalidSeed} for a state this generator cannot use; every state by default. */
  protected accept(_seed: Seed64, _lo: number, _hi: number): void {}

  /** Low 32 bits of the state. */
  get stateLo(): number {
    return this.lo;
  }

  /** High 32 bits of the state. */
  get stateHi(): number {
    return this.hi;
  }

  /** Returns the next 32-bit value and advances the state. */
  abstract cheaprand(): number;
}

/**
 * Go's wyrand step (`cheaprand` on 64-bit platforms):
 * `state += 0xa0761d6478bd642f; hi, lo := Mul64(state, state ^ 0xe7037ed1a0b428db); return uint32(hi ^ lo)`.
 * Every 64-bit state is valid.
 */
export class Wyrand extends CheapRandState {
  /** Creates a generator whose 64-bit state is `seed` (default {@link defaultCheapRandSeed}). Throws {@link InvalidSeed}. */
  constructor(seed: Seed64 = defaultCheapRandSeed) {
    super(seed);
  }

  /** Returns the next value of Go's wyrand sequence. */
  cheaprand(): number {
    // state += 0xa0761d6478bd642f, carrying from the low half.
    let lo = this.lo + 0x78bd642f;
    let carry = 0;
    if (lo >= two32) {
      lo -= two32;
      carry = 1;
    }
    let hi = this.hi + 0xa0761d64 + carry;
    if (hi >= two32) hi -= two32;
    this.lo = lo;
    this.hi = hi;
    // Product of a = state and b = state ^ 0xe7037ed1a0b428db, in 16-bit limbs.
    const bLo = (lo ^ 0xa0b428db) >>> 0;
    const bHi = (hi ^ 0xe7037ed1) >>> 0;
    const a0 = lo & 0xffff;
    const a1 = lo >>> 16;
    const a2 = hi & 0xffff;
    const a3 = hi >>> 16;
    const b0 = bLo & 0xffff;
    const b1 = bLo >>> 16;
    const b2 = bHi & 0xffff;
    const b3 = bHi >>> 16;
    // Column sums stay below 2^35, exact in a double.
    let t = a0 * b0;
    const l0 = t % 65536;
    t = Math.floor(t / 65536) + a0 * b1 + a1 * b0;
    const l1 = t % 65536;
    t = Math.floor(t / 65536) + a0 * b2 + a1 * b1 + a2 * b0;
    t = Math.floor(t / 65536) + a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
    t = Math.floor(t / 65536) + a1 * b3 + a2 * b2 + a3 * b1;
    const l4 = t % 65536;
    t = Math.floor(t / 65536) + a2 * b3 + a3 * b2;
    const l5 = t % 65536;
    // uint32(hi ^ lo): bits 64..95 of the product xor bits 0..31.
    return ((l5 * 65536 + l4) ^ (l1 * 65536 + l0)) >>> 0;
  }
}

/**
 * Go's xorshift64+ fallback (`cheaprand` on 32-bit platforms and wasm): the
 * state is two u32 words `t[0]` (low) and `t[1]` (high);
 * `s1, s0 := t[0], t[1]; s1 ^= s1 << 17; s1 = s1 ^ s0 ^ s1>>7 ^ s0>>16; t[0], t[1] = s0, s1; return s0 + s1`.
 *
 * Invariant X1: the state is never all zero (zero is a fixed point that yields 0
 * forever; Go 1.19's `mcommoninit` forces a non-zero seed for the same reason).
 */
export class Xorshift64Plus extends CheapRandState {
  /** Creates a generator whose 64-bit state is `seed` (default {@link defaultCheapRandSeed}). Throws {@link InvalidSeed} on 0. */
  constructor(seed: Seed64 = defaultCheapRandSeed) {
    super(seed);
  }

  protected override accept(seed: Seed64, lo: number, hi: number): void {
    if (lo === 0 && hi === 0) throw new InvalidSeed(seed, "xorshift64+ cannot leave the all-zero state");
  }

  /** Returns the next value of Go's xorshift64+ sequence. */
  cheaprand(): number {
    let s1 = this.lo;
    const s0 = this.hi;
    s1 ^= s1 << 17;
    s1 = s1 ^ s0 ^ (s1 >>> 7) ^ (s0 >>> 16);
    this.lo = s0;
    this.hi = s1 >>> 0;
    return (s0 + (s1 >>> 0)) % two32;
  }
}

/**
 * Go's `cheaprandn(n)`: a value in [0, n) as the high 32 bits of
 * `uint64(cheaprand()) * uint64(n)` (Lemire's multiply-shift reduction).
 * `n` must be an integer in [0, 2^32] (else {@link InvalidProfileOption}); 0 yields 0 as in Go.
 */
export function cheaprandn(rand: CheapRand, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > two32) {
    throw new InvalidProfileOption("n", `cheaprandn wants an integer in [0, 2^32], got ${String(n)}`);
  }
  const r = rand.cheaprand();
  const rh = Math.floor(r / 65536);
  const rl = r % 65536;
  const nh = Math.floor(n / 65536);
  const nl = n % 65536;
  const mid = (rh * nl + rl * nh) * 65536 + rl * nl; // < 2^50: exact
  return rh * nh + Math.floor(mid / two32);
}

/** GOARCHes whose Go 1.26 runtime steps `cheaprand` with wyrand (rand.go); Go 1.19's list lacks loong64. */
export const wyrandGoarches: readonly string[] = [
  "amd64",
  "arm64",
  "ppc64",
  "ppc64le",
  "mips64",
  "mips64le",
  "s390x",
  "riscv64",
  "loong64",
];

/** Every GOARCH Go 1.26 supports (`go tool dist list`). */
export const knownGoarches: readonly string[] = [
  "386",
  "amd64",
  "arm",
  "arm64",
  "loong64",
  "mips",
  "mipsle",
  "mips64",
  "mips64le",
  "ppc64",
  "ppc64le",
  "riscv64",
  "s390x",
  "wasm",
];

/**
 * The generator Go's runtime uses on `goarch`: {@link Wyrand} where Go lowers
 * `math.Mul64`, else {@link Xorshift64Plus}. `goVersion` `"go1.19"` drops
 * loong64 from the wyrand list, as Go 1.19's `fastrand` did. Throws
 * {@link InvalidProfileOption} for a GOARCH Go does not know, and
 * {@link InvalidSeed} as the constructors do.
 */
export function newCheapRand(
  goarch: string,
  seed: Seed64 = defaultCheapRandSeed,
  goVersion: "go1.19" | "go1.26" = "go1.26",
): Wyrand | Xorshift64Plus {
  if (!knownGoarches.includes(goarch))
    throw new InvalidProfileOption("goarch", `unknown GOARCH ${JSON.stringify(goarch)}`);
  if (goVersion !== "go1.19" && goVersion !== "go1.26") {
    throw new InvalidProfileOption("goVersion", `want "go1.19" or "go1.26", got ${JSON.stringify(goVersion)}`);
  }
  const wy = wyrandGoarches.includes(goarch) && !(goVersion === "go1.19" && goarch === "loong64");
  return wy ? new Wyrand(seed) : new Xorshift64Plus(seed);
}
