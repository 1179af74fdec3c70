/**
 * Typed errors of the public heap API. Each class has a `_tag`. After any of
 * them the heap is unchanged: the next malloc works and no live object is
 * disturbed. Freeing misuse reuses the span layer's classes
 * (`DoubleFreeError`, `ForeignPointerError`, `InteriorPointerError`), which
 * are re-exported here. Broken invariants throw os-mem's `RuntimeThrow`
 * with Go's throw text. See docs/design.md, "Errors".
 */
import { hex } from "@gomalloc/os-mem";

export { DoubleFreeError, ForeignPointerError, InteriorPointerError } from "@gomalloc/span";

/** The backend cannot provide the memory a request needs (Go throws "out of memory"). */
export class OutOfMemoryError extends Error {
  readonly _tag = "OutOfMemoryError" as const;
  /**
   * @param size - the request in bytes.
   * @param detail - Go's message for the failure (e.g. "runtime: out of memory: cannot allocate …").
   */
  constructor(
    readonly size: number,
    readonly detail: string,
  ) {
    super(`out of memory allocating ${size} bytes${detail === "" ? "" : `: ${detail}`}`);
    this.name = "OutOfMemoryError";
  }
}

/** A size that is negative, not an integer, NaN, over maxAlloc, or a count × size that overflows. */
export class BadSizeError extends Error {
  readonly _tag = "BadSizeError" as const;
  /**
   * @param op - the call (`malloc`, `calloc`, `mallocArray`, `realloc`).
   * @param size - the rejected value.
   * @param reason - what was wrong.
   */
  constructor(
    readonly op: string,
    readonly size: unknown,
    readonly reason: string,
  ) {
    super(`${op}: bad size ${String(size)}: ${reason}`);
    this.name = "BadSizeError";
  }
}

/** mallocinit's checks failed; `goText` is Go's throw text, `printed` what Go prints before it. */
export class MallocInitError extends Error {
  readonly _tag = "MallocInitError" as const;
  constructor(
    readonly goText: string,
    readonly printed: string,
  ) {
    super(printed === "" ? goText : `${printed.trimEnd()}: ${goText}`);
    this.name = "MallocInitError";
  }
}

/** The heap cannot run this profile on this memory (e.g. aix/ppc64, whose addresses exceed 2^53). */
export class UnsupportedProfileError extends Error {
  readonly _tag = "UnsupportedProfileError" as const;
  constructor(
    readonly pair: string,
    readonly reason: string,
  ) {
    super(`cannot run a heap with the ${pair} profile: ${reason}`);
    this.name = "UnsupportedProfileError";
  }
}

/** createHeap/attachHeap options that do not describe one usable memory and heap. */
export class HeapOptionError extends Error {
  readonly _tag = "HeapOptionError" as const;
  constructor(
    readonly option: string,
    readonly reason: string,
  ) {
    super(`heap option ${option}: ${reason}`);
    this.name = "HeapOptionError";
  }
}

/** attachHeap found no heap in the memory, or one it cannot use. */
export class HeapAttachError extends Error {
  readonly _tag = "HeapAttachError" as const;
  constructor(readonly reason: string) {
    super(`attachHeap: ${reason}`);
    this.name = "HeapAttachError";
  }
}

/** The handle holds no P (attached read-only, closed, or every P taken), so it cannot allocate or free. */
export class NoProcessorError extends Error {
  readonly _tag = "NoProcessorError" as const;
  constructor(readonly op: string) {
    super(`${op}: this heap handle holds no P (attach with { p: "any" } or a free P index to allocate)`);
    this.name = "NoProcessorError";
  }
}

/** A memory access outside what the call may touch (flat-only getters on the simulated backend, ranges across views). */
export class MemoryAccessError extends Error {
  readonly _tag = "MemoryAccessError" as const;
  constructor(
    readonly addr: number,
    readonly length: number,
    readonly reason: string,
  ) {
    super(`access of ${length} bytes at ${Number.isSafeInteger(addr) ? hex(addr) : String(addr)}: ${reason}`);
    this.name = "MemoryAccessError";
  }
}

/**
 * `reclaimP` cannot flush P `p`: its holder died inside a slow path (where it
 * may have held the mcentral, span-set or heap lock, or left a span half
 * updated), so the heap cannot be made consistent from another thread. Fast
 * paths take no lock, so a worker stopped in one can always be reclaimed.
 */
export class PReclaimError extends Error {
  readonly _tag = "PReclaimError" as const;
  constructor(
    readonly p: number,
    readonly reason: string,
  ) {
    super(`reclaimP(${p}): ${reason}`);
    this.name = "PReclaimError";
  }
}
