/**
 * Typed errors of @gomalloc/sizeclass. Each class carries a `_tag` so callers
 * can switch on it without `instanceof`. Four kinds: parameters outside what
 * the port supports, a refusal by Go's own generator (its panic, or its
 * failure to compile, with Go's text), a table Go's generator would print but
 * that breaks an invariant (so we never hand it out), and a lookup called
 * with an argument outside its domain. See docs/design.md, "Errors".
 */

/** A generator parameter is not an integer in the range this port supports, or the Go version is unknown. */
export class SizeClassParamsError extends Error {
  readonly _tag = "SizeClassParamsError" as const;
  /** The parameter's name (as in {@link SizeClassParams}). */
  readonly param: string;
  /** The value given. */
  readonly value: unknown;

  constructor(param: string, value: unknown, expected: string) {
    super(`sizeclass: ${param} = ${String(value)} is not supported: ${expected}`);
    this.name = "SizeClassParamsError";
    this.param = param;
    this.value = value;
  }
}

/**
 * Go's size-class generator refuses these parameters: it panics (or its source
 * no longer compiles with them). `goReason` is Go's own text, as it follows
 * `panic: ` on Go's stderr (or the compiler's message); `goPrinted` is what
 * the generator printed to stdout just before (e.g. `d=45056 max=90112 N=17 F=33`).
 */
export class MkSizeClassesError extends Error {
  readonly _tag = "MkSizeClassesError" as const;
  /** The Go version whose generator was emulated. */
  readonly goVersion: string;
  /** How Go fails: a run-time panic of the generator, or a compile error of its source. */
  readonly goFailure: "panic" | "compile";
  /** Go's panic value or compiler message, verbatim. */
  readonly goReason: string;
  /** What Go printed on stdout before failing ("" when nothing). */
  readonly goPrinted: string;
  /** For Go's class-count check: how many classes these parameters make (else undefined). */
  readonly numSizeClasses: number | undefined;

  constructor(
    goVersion: string,
    goFailure: "panic" | "compile",
    goReason: string,
    goPrinted = "",
    hint = "",
    numSizeClasses?: number,
  ) {
    const printed = goPrinted === "" ? "" : ` (${goPrinted})`;
    const what = goFailure === "panic" ? "panics" : "does not compile";
    super(`Go ${goVersion}'s mksizeclasses ${what} with these parameters: ${goReason}${printed}${hint}`);
    this.name = "MkSizeClassesError";
    this.goVersion = goVersion;
    this.goFailure = goFailure;
    this.goReason = goReason;
    this.goPrinted = goPrinted;
    this.numSizeClasses = numSizeClasses;
  }
}

/**
 * A size-class table breaks one of the invariants listed on
 * {@link SizeClassTable} (`invariant` is its ID, e.g. `SC7`). The generator
 * throws it for parameters that Go's generator accepts but whose table Go's
 * runtime could not use (a class size over uint16, a size no lookup reaches…);
 * {@link SizeClasses.fromTable} throws it for a foreign table.
 */
export class SizeClassTableError extends Error {
  readonly _tag = "SizeClassTableError" as const;
  /** The invariant's ID. */
  readonly invariant: string;
  /** The first counterexample, in words. */
  readonly detail: string;

  constructor(invariant: string, detail: string, subject = "sizeclass: the table") {
    super(`${subject} breaks invariant ${invariant}: ${detail}`);
    this.name = "SizeClassTableError";
    this.invariant = invariant;
    this.detail = detail;
  }
}

/** A lookup got an argument outside its domain (not an integer, negative, past the table). */
export class SizeClassRangeError extends Error {
  readonly _tag = "SizeClassRangeError" as const;
  /** The lookup's name. */
  readonly fn: string;
  /** The argument given. */
  readonly value: unknown;

  constructor(fn: string, value: unknown, domain: string) {
    super(`sizeclass: ${fn}(${String(value)}): argument must be ${domain}`);
    this.name = "SizeClassRangeError";
    this.fn = fn;
    this.value = value;
  }
}
