/**
 * @packageDocumentation
 * Go's heap: arenas and the arena map, the page allocator (Go's
 * mpagealloc.go, mpallocbits.go, mpagecache.go, mranges.go; usable alone over
 * any address range), span allocation and growth (mheap.go), mcentral and
 * span sets, the sweeper and the scavenger (mgcsweep.go, mgcscavenge.go).
 */
export {
  arenaHintAddrs,
  arenaHintBytes,
  arenaHintList,
  arenaSizes32,
  isSbrkPlatform,
  placeArenaHints,
  sysAllocArena,
} from "./arenahints.js";
export {
  MHeapInitError,
  PageAllocConfigError,
  PageAllocOutOfMemoryError,
  PageCountError,
  PageDoubleFreeError,
  PageRangeError,
} from "./errors.js";
export { HeapArenaGeometry, l2CommitWholeBytes, l2Limit } from "./heaparena.js";
export { checkAddrRanges, checkCentral, checkMHeap, checkPageAlloc } from "./invariants.js";
export {
  cacheSpan,
  centralOf,
  fullReuseBudget,
  fullSwept,
  fullUnswept,
  initCentral,
  mcentralBytes,
  mcentralGrow,
  partialSwept,
  partialUnswept,
  resetUnswept,
  spanBudget,
  tryAcquire,
  uncacheSpan,
} from "./mcentral.js";
export {
  fillAlignedHi,
  fillAlignedLo,
  findScavengeCandidate,
  type ScavengeGoalSpec,
  ScavengeIndex,
  scavChunkHasFree,
} from "./mgcscavenge.js";
export {
  finishSweep,
  freeCycleTrigger,
  heapMinimum,
  isSweepDone,
  mheapAlloc,
  nextSpanForSweep,
  reclaim,
  startFreeCycle,
  sweepOwned,
  sweepone,
  sweepSpan,
} from "./mgcsweep.js";
export {
  F_tinySide,
  lockRankMheap,
  lockRankSpanSetSpine,
  MHeap,
  type MHeapField,
  type MHeapOptions,
  mheapRecordBytes,
} from "./mheap.js";
export { PageAlloc } from "./mpagealloc.js";
export { PageAllocGeometry, type PageAllocOptions } from "./mpagealloc_geometry.js";
export { allocToCache, PageCache, pageCacheBytes, pageCachePages } from "./mpagecache.js";
export {
  findBitRange64,
  findFailed,
  PallocBits,
  pageBitsClear,
  pageBitsClearAll,
  pageBitsClearRange,
  pageBitsGet,
  pageBitsPopcntRange,
  pageBitsSet,
  pageBitsSetAll,
  pageBitsSetRange,
} from "./mpallocbits.js";
export { AddrRanges, addrRangeBytes, addrRangesRecordBytes, type MetadataAlloc } from "./mranges.js";
export {
  metaAddr,
  metaId,
  spanSetBlockBytes,
  spanSetBlockEntries,
  spanSetBytes,
  spanSetContents,
  spanSetInit,
  spanSetInitSpineCap,
  spanSetLen,
  spanSetPop,
  spanSetPush,
  spanSetReset,
} from "./mspanset.js";
export {
  mergeSummaries,
  packPallocSumHi,
  packPallocSumLo,
  pallocSumEnd,
  pallocSumMax,
  pallocSumStart,
  writePallocSum,
} from "./pallocsum.js";
