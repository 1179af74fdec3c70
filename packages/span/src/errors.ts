/**
 * Typed errors of the span layer. API misuse (freeing a pointer the span does
 * not own, twice, or not at an object's start) throws one of the tagged
 * classes below and leaves the span unchanged; a broken internal invariant
 * throws os-mem's `RuntimeThrow` with Go's throw text. See docs/design.md, "Errors".
 */
import { hex } from "@gomalloc/os-mem";

/** `free` of an object that is not allocated (already freed, or never handed out). */
export class DoubleFreeError extends Error {
  readonly _tag = "DoubleFreeError" as const;
  /**
   * @param addr - the pointer passed to free.
   * @param span - the span record that covers it.
   */
  constructor(
    readonly addr: number,
    readonly span: number,
  ) {
    super(`free of ${hex(addr)}: object is not allocated (double free?)`);
    this.name = "DoubleFreeError";
  }
}

/** `free` of a pointer inside an object rather than at its start. */
export class InteriorPointerError extends Error {
  readonly _tag = "InteriorPointerError" as const;
  /**
   * @param addr - the pointer passed to free.
   * @param objectStart - the start of the object that contains it.
   */
  constructor(
    readonly addr: number,
    readonly objectStart: number,
  ) {
    super(`free of ${hex(addr)}: interior pointer into the object at ${hex(objectStart)}`);
    this.name = "InteriorPointerError";
  }
}

/** `free` of a pointer outside the span's objects, or into a span that holds no objects. */
export class ForeignPointerError extends Error {
  readonly _tag = "ForeignPointerError" as const;
  /**
   * @param addr - the pointer passed to free.
   * @param span - the span record it was checked against.
   * @param reason - what was wrong.
   */
  constructor(
    readonly addr: number,
    readonly span: number,
    reason: string,
  ) {
    super(`free of ${hex(addr)}: ${reason}`);
    this.name = "ForeignPointerError";
  }
}

/** An argument outside what the span layer accepts (bad size class geometry, bad index). */
export class SpanArgumentError extends Error {
  readonly _tag = "SpanArgumentError" as const;
  constructor(message: string) {
    super(message);
    this.name = "SpanArgumentError";
  }
}

/** The backend refused the address space or memory for the span table. */
export class SpanAllocError extends Error {
  readonly _tag = "SpanAllocError" as const;
  constructor(message: string) {
    super(message);
    this.name = "SpanAllocError";
  }
}
