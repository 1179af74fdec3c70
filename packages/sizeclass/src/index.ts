/**
 * @packageDocumentation
 * Go's size classes, reusable alone: a port of Go's size-class generator
 * (mksizeclasses) for Go 1.19 and Go 1.26, parameterised by page size and the
 * lookup granules; the default tables it generates for Go's parameters; the
 * allocator's hot-path lookups on typed arrays (size → class, class → size /
 * pages / divMagic / objects, roundupsize, span classes, object index by magic
 * division); and emitters for Go source (byte-identical to Go's
 * sizeclasses.go), JSON and a readable table. See README.md and
 * docs/design.md.
 */

/** The package's name. */
export const packageName = "@gomalloc/sizeclass";

export type { ClassStats, MinAlignRow, SizeClassInfo } from "./classinfo.js";
export { divideByElemSize, divMagic } from "./divmagic.js";
export { emitJSON, emitTable, type SizeClassesJSON, tableFromJSON, toJSON } from "./emit.js";
export { emitGo, type GoNames, goConstants, goNames } from "./emitgo.js";
export { MkSizeClassesError, SizeClassParamsError, SizeClassRangeError, SizeClassTableError } from "./errors.js";
export { mksizeclasses, type SizeClassTable } from "./mksizeclasses.js";
export {
  class_to_allocnpages,
  class_to_divmagic,
  class_to_nelems,
  class_to_size,
  classToDivMagic,
  classToNElems,
  classToNPages,
  classToSize,
  largeSizeDiv,
  maxObjsPerSpan,
  maxSmallSize,
  numSizeClasses,
  objIndex,
  pageShift,
  pageSize,
  roundupsize,
  size_to_class8,
  size_to_class128,
  sizeToClass,
  smallSizeDiv,
  smallSizeMax,
  tinySize,
  tinySizeClass,
} from "./msize.js";
export {
  defaultGoVersion,
  defaultParams,
  type GoVersion,
  goVersions,
  isGoVersion,
  paramRanges,
  resolveParams,
  type SizeClassParams,
} from "./params.js";
export { defaultMinSizeForMallocHeader, defaultSizeClasses, mallocHeaderSize, SizeClasses } from "./sizeclasses.js";
export { makeSpanClass, noscan, numSpanClasses, sizeclass, tinySpanClass } from "./spanclass.js";
export { checkSizeClassTable } from "./tablecheck.js";
