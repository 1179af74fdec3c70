/**
 * @packageDocumentation
 * Go's mspan and span bitmaps: the mspan record in managed memory, allocBits,
 * allocCache, nextFreeFast/nextFreeIndex, objIndex by divMagic, explicit free
 * as Go's sweep, span lists, and the u32-pair bit helpers everything above
 * uses.
 */
export {
  leadingZeros32,
  leadingZeros64,
  lowMask64Hi,
  lowMask64Lo,
  mulHi32,
  onesCount32,
  onesCount64,
  shl64Hi,
  shl64Lo,
  shr64Hi,
  shr64Lo,
  trailingZeros32,
  trailingZeros64,
} from "./bits.js";
export {
  DoubleFreeError,
  ForeignPointerError,
  InteriorPointerError,
  SpanAllocError,
  SpanArgumentError,
} from "./errors.js";
export { checkSpan, checkSpanList } from "./invariants.js";
export {
  countAlloc,
  divideByElemSize,
  isFree,
  nextFree,
  nextFreeFast,
  nextFreeIndex,
  objIndex,
  refillAllocCache,
} from "./mbitmap.js";
export { free, sweep, sweepEmpty, sweepFull, sweepPartial } from "./mgcsweep.js";
export {
  F_allocBits,
  F_allocCacheHi,
  F_allocCacheLo,
  F_allocCount,
  F_aux,
  F_cachedBy,
  F_classWord,
  F_divMul,
  F_elemsize,
  F_freed,
  F_freeindex,
  F_gcmarkBits,
  F_limit,
  F_list,
  F_manualFreeList,
  F_needzero,
  F_nelems,
  F_next,
  F_npages,
  F_prev,
  F_spanclass,
  F_specials,
  F_startAddr,
  F_state,
  F_sweepgen,
  MSpanTable,
  maxSpanObjects,
  mSpanDead,
  mSpanInUse,
  mSpanManual,
  mspanBytes,
  type SpanMemory,
} from "./mspan.js";
export { MSpanList, mSpanListBytes } from "./mspanlist.js";
export { SpanAlloc, type SpanAllocOptions } from "./spanalloc.js";
