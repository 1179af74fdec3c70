/**
 * Typed errors of `@gomalloc/profiling`. API misuse (a bad rate, depth, address
 * or size) throws one of the tagged classes below and leaves the profiler as it
 * was; a broken internal invariant throws {@link RuntimeThrow} with the text Go's
 * runtime would `throw`, or {@link InvariantViolation} from a checker function.
 * See docs/design.md, "Errors".
 *
 * @module
 */

/** A broken runtime invariant, carrying the text Go's runtime passes to `throw`. */
export class RuntimeThrow extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "RuntimeThrow" as const;
  /** The message Go's runtime would print after `fatal error:`. */
  readonly goThrow: string;
  constructor(goThrow: string, detail?: string) {
    super(detail === undefined ? goThrow : `${goThrow} (${detail})`);
    this.name = "RuntimeThrow";
    this.goThrow = goThrow;
  }
}

/** A checker function found a state that breaks the invariant with this ID. */
export class InvariantViolation extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvariantViolation" as const;
  /** The invariant's ID, as listed in the TSDoc of the checked type (e.g. `MP2`). */
  readonly id: string;
  constructor(id: string, message: string) {
    super(`${id}: ${message}`);
    this.name = "InvariantViolation";
    this.id = id;
  }
}

/** `MemProfileRate` (or a fastexprand mean) that is not a safe integer in range. */
export class InvalidMemProfileRate extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvalidMemProfileRate" as const;
  /** The rejected value. */
  readonly rate: unknown;
  constructor(rate: unknown, why: string) {
    super(`invalid MemProfileRate ${String(rate)}: ${why}`);
    this.name = "InvalidMemProfileRate";
    this.rate = rate;
  }
}

/** A stack depth outside 0..{@link maxProfStackDepth}, or not an integer. */
export class InvalidStackDepth extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvalidStackDepth" as const;
  /** The rejected value. */
  readonly depth: unknown;
  constructor(depth: unknown) {
    super(`invalid profile stack depth ${String(depth)}: want an integer in 0..${maxProfStackDepth}`);
    this.name = "InvalidStackDepth";
    this.depth = depth;
  }
}

/** An allocation record with an address or size the profiler cannot hold. */
export class InvalidAllocation extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvalidAllocation" as const;
  /** The rejected address. */
  readonly addr: unknown;
  /** The rejected size (undefined for a free). */
  readonly size: unknown;
  constructor(addr: unknown, size: unknown, why: string) {
    super(`invalid allocation record addr=${String(addr)} size=${String(size)}: ${why}`);
    this.name = "InvalidAllocation";
    this.addr = addr;
    this.size = size;
  }
}

/** A seed the chosen random generator cannot use. */
export class InvalidSeed extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvalidSeed" as const;
  /** The rejected seed. */
  readonly seed: unknown;
  constructor(seed: unknown, why: string) {
    super(`invalid seed ${String(seed)}: ${why}`);
    this.name = "InvalidSeed";
    this.seed = seed;
  }
}

/** An option record with a value of the wrong kind (e.g. a sample type pprof does not know). */
export class InvalidProfileOption extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvalidProfileOption" as const;
  /** The option's name. */
  readonly option: string;
  constructor(option: string, why: string) {
    super(`invalid profile option ${option}: ${why}`);
    this.name = "InvalidProfileOption";
    this.option = option;
  }
}

/**
 * The deepest stack a bucket may record, Go's `maxProfStackDepth` (mprof.go,
 * the ceiling of `GODEBUG=profstackdepth`).
 */
export const maxProfStackDepth = 1024;
