/**
 * Typed errors of `@gomalloc/trace`. Malformed trace text throws
 * {@link TraceParseError} with the 1-based line number; an operation that
 * breaks a trace's rules when built in code throws {@link InvalidTraceOp} and
 * leaves the builder as it was; bad generator or writer options throw
 * {@link InvalidTraceOption}; the replay driver throws {@link AllocatorFailure},
 * {@link PatternMismatch} or {@link ReplayUnsupported}; {@link checkTrace} throws
 * {@link InvariantViolation}. Every class carries a
 * `_tag` for pattern matching. See docs/design.md, "Errors".
 *
 * @module
 */

/**
 * Why an operation or a line was rejected.
 *
 * - `unknown-op`: the first field is not `a`/`alloc`, `f`/`free` or `r`/`realloc`.
 * - `bad-id`: the id is not a decimal integer in [0, 2^32).
 * - `bad-size`: the size is not a decimal integer in [0, 2^53).
 * - `field-count`: too few or too many fields for the operation.
 * - `unknown-id`: free or realloc of an id that was never allocated.
 * - `already-freed`: free or realloc of an id whose object was freed and not allocated again.
 * - `duplicate-live-id`: alloc of an id whose object is still live.
 * - `bad-header`: a malformed `gomalloc-trace` header line, or one that is not first.
 * - `unsupported-version`: a header with a format version this package cannot read.
 * - `bad-encoding`: bytes that are not valid UTF-8 (only from {@link readTrace}).
 */
export type TraceErrorReason =
  | "unknown-op"
  | "bad-id"
  | "bad-size"
  | "field-count"
  | "unknown-id"
  | "already-freed"
  | "duplicate-live-id"
  | "bad-header"
  | "unsupported-version"
  | "bad-encoding";

/** An operation a {@link TraceBuilder} refused; the builder is unchanged. */
export class InvalidTraceOp extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvalidTraceOp" as const;
  /** Why the operation was refused. */
  readonly reason: TraceErrorReason;
  /** Index the operation would have had in the trace. */
  readonly opIndex: number;
  /** The operation's id, as given. */
  readonly id: unknown;
  /** What was wrong, in words. */
  readonly detail: string;
  constructor(reason: TraceErrorReason, opIndex: number, id: unknown, detail: string) {
    super(`op ${opIndex}: ${reason}: ${detail}`);
    this.name = "InvalidTraceOp";
    this.reason = reason;
    this.opIndex = opIndex;
    this.id = id;
    this.detail = detail;
  }
}

/** A line of trace text that is malformed or breaks a trace's rules. */
export class TraceParseError extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "TraceParseError" as const;
  /** Why the line was rejected. */
  readonly reason: TraceErrorReason;
  /** 1-based line number in the input. */
  readonly line: number;
  /** The offending line, without its line terminator. */
  readonly text: string;
  constructor(reason: TraceErrorReason, line: number, text: string, detail: string) {
    super(`line ${line}: ${reason}: ${detail}: ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)}`);
    this.name = "TraceParseError";
    this.reason = reason;
    this.line = line;
    this.text = text;
  }
}

/** An option of a generator, writer or replay that is out of range or of the wrong kind. */
export class InvalidTraceOption extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvalidTraceOption" as const;
  /** The option's name. */
  readonly option: string;
  /** The rejected value. */
  readonly value: unknown;
  constructor(option: string, value: unknown, why: string) {
    super(`invalid option ${option}=${String(value)}: ${why}`);
    this.name = "InvalidTraceOption";
    this.option = option;
    this.value = value;
  }
}

/** The allocator under replay returned something that is not a usable pointer. */
export class AllocatorFailure extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "AllocatorFailure" as const;
  /** Index of the trace operation that failed. */
  readonly opIndex: number;
  /** The trace id of the object. */
  readonly id: number;
  /** The requested size. */
  readonly size: number;
  /** What `malloc` or `realloc` returned. */
  readonly returned: unknown;
  constructor(opIndex: number, id: number, size: number, returned: unknown) {
    super(
      `op ${opIndex}: allocator returned ${String(returned)} for id ${id} size ${size} (want a pointer > 0; 0 only for size 0)`,
    );
    this.name = "AllocatorFailure";
    this.opIndex = opIndex;
    this.id = id;
    this.size = size;
    this.returned = returned;
  }
}

/** An object's bytes no longer hold the pattern written when it was allocated. */
export class PatternMismatch extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "PatternMismatch" as const;
  /** Index of the trace operation whose check failed (a free, a realloc, or the trace length for the final check). */
  readonly opIndex: number;
  /** The trace id of the damaged object. */
  readonly id: number;
  /** Its pointer. */
  readonly ptr: number;
  /** Byte offset of the first wrong byte inside the object. */
  readonly offset: number;
  /** The byte the pattern wants there. */
  readonly expected: number;
  /** The byte found there. */
  readonly actual: number;
  constructor(opIndex: number, id: number, ptr: number, offset: number, expected: number, actual: number) {
    super(
      `op ${opIndex}: object id ${id} at ${ptr} damaged at offset ${offset}: byte ${actual}, pattern wants ${expected}`,
    );
    this.name = "PatternMismatch";
    this.opIndex = opIndex;
    this.id = id;
    this.ptr = ptr;
    this.offset = offset;
    this.expected = expected;
    this.actual = actual;
  }
}

/** The trace needs something the allocator and options do not provide (realloc without `realloc` or `bytes`). */
export class ReplayUnsupported extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "ReplayUnsupported" as const;
  constructor(why: string) {
    super(why);
    this.name = "ReplayUnsupported";
  }
}

/** A checker function found a {@link Trace} that breaks the invariant with this ID. */
export class InvariantViolation extends Error {
  /** Discriminant for pattern matching. */
  readonly _tag = "InvariantViolation" as const;
  /** The invariant's ID, as listed in the TSDoc of {@link Trace} (e.g. `T3`). */
  readonly id: string;
  constructor(id: string, message: string) {
    super(`${id}: ${message}`);
    this.name = "InvariantViolation";
    this.id = id;
  }
}
