/**
 * Typed errors of the page allocator. Exhaustion is not an error here: alloc
 * returns Go's 0 sentinel. Misuse (a range the allocator does not manage, a
 * page count that is not a positive integer, freeing pages that are free) and a
 * backend that refuses metadata memory throw the tagged classes below, with the
 * allocator's state unchanged. A broken invariant throws `RuntimeThrow` (from
 * `@gomalloc/span`) with Go's throw text. See docs/design.md, "Errors".
 */
import { hex } from "@gomalloc/os-mem";

/** A page range the allocator cannot take: misaligned, empty, outside the address space, or overlapping. */
export class PageRangeError extends Error {
  readonly _tag = "PageRangeError" as const;
  /**
   * @param base - the range's base address.
   * @param size - the range's size in bytes.
   * @param reason - what was wrong.
   */
  constructor(
    readonly base: number,
    readonly size: number,
    reason: string,
  ) {
    super(`page range [${hex(base)}, ${hex(base + size)}): ${reason}`);
    this.name = "PageRangeError";
  }
}

/** A page count that is not a positive integer (or too large to ever fit). */
export class PageCountError extends Error {
  readonly _tag = "PageCountError" as const;
  /** @param npages - the rejected count. */
  constructor(readonly npages: number) {
    super(`bad page count ${npages}: want a positive integer`);
    this.name = "PageCountError";
  }
}

/** `free` of pages that are already free. */
export class PageDoubleFreeError extends Error {
  readonly _tag = "PageDoubleFreeError" as const;
  /**
   * @param base - the range's base address.
   * @param npages - its length in pages.
   * @param freePages - how many of those pages were already free.
   */
  constructor(
    readonly base: number,
    readonly npages: number,
    readonly freePages: number,
  ) {
    super(`free of ${npages} pages at ${hex(base)}: ${freePages} of them are already free`);
    this.name = "PageDoubleFreeError";
  }
}

/** The backend refused memory for page-allocator metadata (Go throws "pageAlloc: out of memory"). */
export class PageAllocOutOfMemoryError extends Error {
  readonly _tag = "PageAllocOutOfMemoryError" as const;
  /** @param what - the metadata that could not be mapped. */
  constructor(readonly what: string) {
    super(`pageAlloc: out of memory (${what})`);
    this.name = "PageAllocOutOfMemoryError";
  }
}

/** Options describing an impossible page-allocator geometry. */
export class PageAllocConfigError extends Error {
  readonly _tag = "PageAllocConfigError" as const;
  constructor(message: string) {
    super(message);
    this.name = "PageAllocConfigError";
  }
}

/** The heap could not be set up: the backend refused its metadata, or a record holds no heap. */
export class MHeapInitError extends Error {
  readonly _tag = "MHeapInitError" as const;
  constructor(message: string) {
    super(`mheap: ${message}`);
    this.name = "MHeapInitError";
  }
}
