/**
 * The size-class scalars of Go's generated sizeclasses.go (runtime in Go
 * 1.19, internal/runtime/gc in Go 1.26) and, for 1.26, the constants of
 * internal/runtime/gc/malloc.go. They are mksizeclasses' parameters (page
 * shift, largest small size, the two lookup granularities) and the counts it
 * produces for them; they do not depend on the port. @gomalloc/sizeclass
 * regenerates the tables themselves. See docs/design.md, "Layers".
 */
import type { FormulaEnv } from "./env.js";
import { div, shl } from "./env.js";

/** Go 1.19's runtime/sizeclasses.go scalars. */
export function sizeClasses119() {
  return {
    _MaxSmallSize: 32768,
    smallSizeDiv: 8,
    smallSizeMax: 1024,
    largeSizeDiv: 128,
    _NumSizeClasses: 68,
    _PageShift: 13,
  };
}

/** Go 1.26's internal/runtime/gc scalars (sizeclasses.go, then malloc.go). */
export function sizeClasses126(env: FormulaEnv) {
  const PageShift = 13;
  const PageSize = shl(1, PageShift);
  const { PtrSize } = env.g;
  const PtrBits = PtrSize * 8;
  return {
    MinHeapAlign: 8,
    MaxSmallSize: 32768,
    SmallSizeDiv: 8,
    SmallSizeMax: 1024,
    LargeSizeDiv: 128,
    NumSizeClasses: 68,
    PageShift,
    MaxObjsPerSpan: 1024,
    MaxSizeClassNPages: 10,
    TinySize: 16,
    TinySizeClass: 2,
    PageWords: div(PageSize, PtrSize),
    MallocHeaderSize: 8,
    MinSizeForMallocHeader: PtrSize * PtrBits,
    PageSize,
  };
}
