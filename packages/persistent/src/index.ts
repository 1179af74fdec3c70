/**
 * @packageDocumentation
 * Go's off-heap metadata allocators over any os-mem backend: linearAlloc,
 * persistentalloc and fixalloc, each keeping its state in a small record in
 * managed memory so that other workers can attach to it. See docs/design.md.
 */
export {
  BadAllocAlignError,
  BadAllocSizeError,
  BadInitError,
  BadRecordError,
  FixAllocMisuseError,
  PersistentError,
} from "./errors.js";
export { LinearAlloc } from "./linearalloc.js";
export { FixAlloc, type FixAllocOptions, fixAllocChunk } from "./mfixalloc.js";
export {
  PersistentAlloc,
  type PersistentAllocOptions,
  persistentChunkSize,
  persistentMaxAlign,
  persistentMaxBlock,
} from "./persistentalloc.js";

/** The package name. */
export const packageName = "@gomalloc/persistent";
