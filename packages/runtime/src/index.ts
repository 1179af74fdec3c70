/**
 * @packageDocumentation
 * Go's malloc/free over managed memory: createHeap over an ArrayBuffer, a
 * WebAssembly.Memory, a SharedArrayBuffer or a simulated GOOS/GOARCH address
 * space; mcache per P; the tiny, small and large paths of mallocgc; explicit
 * free as Go's sweep with free cycles; zeroing only where needed; MemStats,
 * the scavenger and heap profiles. See README.md and docs/design.md.
 */

export {
  type AttachHeapOptions,
  attachHeap,
  type CreateHeapOptions,
  createHeap,
  type HeapMemoryOptions,
  type ScavengeGoal,
} from "./createheap.js";
export {
  BadSizeError,
  DoubleFreeError,
  ForeignPointerError,
  HeapAttachError,
  HeapOptionError,
  InteriorPointerError,
  MallocInitError,
  MemoryAccessError,
  NoProcessorError,
  OutOfMemoryError,
  PReclaimError,
  UnsupportedProfileError,
} from "./errors.js";
export { growCapacity } from "./free.js";
export { Heap, heapRootSlot, lockRankMcentral } from "./heap.js";
export {
  type ArenaUsage,
  type BackendUsage,
  type CycleUsage,
  checkInspection,
  type HeapFootprint,
  type HeapInspection,
  type HeapUsageTotals,
  heapFootprint,
  inspectHeap,
  type SizeClassUsage,
} from "./inspect.js";
export type { MallocOptions } from "./malloc.js";
export { checkProfileRunnable, defaultProfile, type MallocInitInputs, mallocinitChecks } from "./mallocinit.js";
export type { MCacheLayout } from "./mcache.js";
export { HeapMemory } from "./memaccess.js";
export { type HeapCounts, heapCounts } from "./mstats.js";
export { type HeapPageMap, heapPageMap, PageMapState } from "./pagemap.js";
export { maxTinySize, tinySideEntryBytes } from "./tiny.js";
export { type ExitingWorker, type PInfo, pInfo, watchWorker } from "./workers.js";

/** The package name. */
export const packageName = "@gomalloc/runtime";
