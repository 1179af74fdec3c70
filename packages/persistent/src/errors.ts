/**
 * Typed errors of the persistent allocators. Misuse (a zero size, an alignment
 * that is not a power of two or is too large, a record address that holds no
 * record, a bad free) throws one of these tagged classes, with Go's throw text
 * where Go has one, and changes nothing. Exhaustion is not an error: the
 * allocators return Go's 0 sentinel. See docs/design.md, "Errors".
 */

/** Base class of every persistent-allocator error; `_tag` names the concrete class. */
export abstract class PersistentError extends Error {
  abstract readonly _tag: string;
}

/** A size is zero, negative, not an integer, or too large for the allocator. */
export class BadAllocSizeError extends PersistentError {
  readonly _tag = "BadAllocSize" as const;
  constructor(
    readonly op: string,
    readonly size: number,
    message: string,
  ) {
    super(`${message} (${op}, size ${size})`);
    this.name = "BadAllocSizeError";
  }
}

/** An alignment is not a power of two, or is larger than the allocator allows. */
export class BadAllocAlignError extends PersistentError {
  readonly _tag = "BadAllocAlign" as const;
  constructor(
    readonly op: string,
    readonly align: number,
    message: string,
  ) {
    super(`${message} (${op}, align ${align})`);
    this.name = "BadAllocAlignError";
  }
}

/** An address given as a record does not hold one (unaligned, not Ready, or wrong magic). */
export class BadRecordError extends PersistentError {
  readonly _tag = "BadRecord" as const;
  constructor(
    readonly kind: string,
    readonly rec: number,
    readonly reason: string,
  ) {
    super(`${kind} record at 0x${rec.toString(16)}: ${reason}`);
    this.name = "BadRecordError";
  }
}

/** A bad argument to `init` (a region that cannot be mapped page by page, a source that maps nothing). */
export class BadInitError extends PersistentError {
  readonly _tag = "BadInit" as const;
  constructor(
    readonly op: string,
    readonly detail: string,
  ) {
    super(`${op}: ${detail}`);
    this.name = "BadInitError";
  }
}

/** `FixAlloc.free` of something that is not a live record of that allocator. */
export class FixAllocMisuseError extends PersistentError {
  readonly _tag = "FixAllocMisuse" as const;
  constructor(
    readonly addr: number,
    readonly reason: string,
  ) {
    super(`fixalloc: free of 0x${addr.toString(16)}: ${reason}`);
    this.name = "FixAllocMisuseError";
  }
}
