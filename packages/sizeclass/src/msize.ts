/**
 * Size lookups on the default tables, as module-level functions for the
 * allocator's hot path (Go's msize.go and the size→class step of mallocgc):
 * the constants are module constants and the tables module-level typed
 * arrays, so a call is a bounds test, a division by a constant and one array
 * read. Same results as the methods of {@link defaultSizeClasses}.
 * See docs/design.md, "Layers".
 */
import { mulhi32 } from "./divmagic.js";
import { SizeClassRangeError } from "./errors.js";
import { defaultSizeClasses as d, defaultMinSizeForMallocHeader, mallocHeaderSize } from "./sizeclasses.js";

/** `_PageShift` of the default tables. */
export const pageShift: number = d.pageShift;
/** `_PageSize` of the default tables. */
export const pageSize: number = d.pageSize;
/** `_MaxSmallSize` of the default tables. */
export const maxSmallSize: number = d.maxSmallSize;
/** `smallSizeDiv` of the default tables. */
export const smallSizeDiv: number = d.smallSizeDiv;
/** `smallSizeMax` of the default tables. */
export const smallSizeMax: number = d.smallSizeMax;
/** `largeSizeDiv` of the default tables. */
export const largeSizeDiv: number = d.largeSizeDiv;
/** `_NumSizeClasses` of the default tables. */
export const numSizeClasses: number = d.numSizeClasses;
/** `_TinySize` of the default tables. */
export const tinySize: number = d.tinySize;
/** `_TinySizeClass` of the default tables. */
export const tinySizeClass: number = d.tinySizeClass;
/** `MaxObjsPerSpan` of the default tables. */
export const maxObjsPerSpan: number = d.maxObjsPerSpan;

/** The default `class_to_size` (read only). */
export const class_to_size: Uint16Array = d.class_to_size;
/** The default `class_to_allocnpages` (read only). */
export const class_to_allocnpages: Uint8Array = d.class_to_allocnpages;
/** The default `class_to_divmagic` (read only). */
export const class_to_divmagic: Uint32Array = d.class_to_divmagic;
/** The default objects per span per class (read only). */
export const class_to_nelems: Uint32Array = d.class_to_nelems;
/** The default `size_to_class8` (read only). */
export const size_to_class8: Uint8Array = d.size_to_class8;
/** The default `size_to_class128` (read only). */
export const size_to_class128: Uint8Array = d.size_to_class128;

const MAX_ROUNDUP = Number.MAX_SAFE_INTEGER + 1 - pageSize;

/**
 * The size class of `size` bytes in the default tables (Go's two-table
 * lookup); 0 for size 0 and for sizes above maxSmallSize (large objects).
 *
 * @param size - an integer in [0, 2^53).
 * @throws SizeClassRangeError for any other value.
 */
export function sizeToClass(size: number): number {
  if (size >>> 0 === size && size <= maxSmallSize) {
    if (size <= smallSizeMax) return size_to_class8[((size + smallSizeDiv - 1) / smallSizeDiv) | 0]!;
    return size_to_class128[((size - smallSizeMax + largeSizeDiv - 1) / largeSizeDiv) | 0]!;
  }
  if (Number.isSafeInteger(size) && size > 0) return 0;
  throw new SizeClassRangeError("sizeToClass", size, "an integer in [0, 2^53)");
}

function badClass(fn: string, v: number): SizeClassRangeError {
  return new SizeClassRangeError(fn, v, `a size class, an integer in [0, ${numSizeClasses})`);
}

/** Object size of `sizeclass` in the default tables; 0 for class 0. Throws SizeClassRangeError. */
export function classToSize(sizeclass: number): number {
  if (sizeclass >>> 0 === sizeclass && sizeclass < numSizeClasses) return class_to_size[sizeclass]!;
  throw badClass("classToSize", sizeclass);
}

/** Pages per span of `sizeclass` in the default tables; 0 for class 0. Throws SizeClassRangeError. */
export function classToNPages(sizeclass: number): number {
  if (sizeclass >>> 0 === sizeclass && sizeclass < numSizeClasses) return class_to_allocnpages[sizeclass]!;
  throw badClass("classToNPages", sizeclass);
}

/** divMul of `sizeclass` in the default tables; 0 for class 0. Throws SizeClassRangeError. */
export function classToDivMagic(sizeclass: number): number {
  if (sizeclass >>> 0 === sizeclass && sizeclass < numSizeClasses) return class_to_divmagic[sizeclass]!;
  throw badClass("classToDivMagic", sizeclass);
}

/** Objects per span of `sizeclass` in the default tables; 0 for class 0. Throws SizeClassRangeError. */
export function classToNElems(sizeclass: number): number {
  if (sizeclass >>> 0 === sizeclass && sizeclass < numSizeClasses) return class_to_nelems[sizeclass]!;
  throw badClass("classToNElems", sizeclass);
}

/**
 * Go 1.26's `roundupsize(size, noscan)` on the default tables: the bytes
 * malloc hands out for `size` (see {@link SizeClasses.roundupsize}).
 *
 * @param size - an integer in [0, 2^53 − pageSize].
 * @param noscan - the object holds no pointers. @defaultValue true
 * @param minSizeForMallocHeader - Go's `PtrSize * PtrBits`. @defaultValue 512
 * @throws SizeClassRangeError for a size or header threshold outside its domain.
 */
export function roundupsize(
  size: number,
  noscan = true,
  minSizeForMallocHeader = defaultMinSizeForMallocHeader,
): number {
  if (size >>> 0 === size && size <= maxSmallSize - mallocHeaderSize) {
    let req = size;
    if (!noscan) {
      if (minSizeForMallocHeader >>> 0 !== minSizeForMallocHeader)
        return d.roundupsize(size, noscan, minSizeForMallocHeader);
      if (req > minSizeForMallocHeader) req += mallocHeaderSize;
    }
    return class_to_size[sizeToClass(req)]! - (req - size);
  }
  if (Number.isSafeInteger(size) && size > 0 && size <= MAX_ROUNDUP) return Math.ceil(size / pageSize) * pageSize;
  return d.roundupsize(size, noscan, minSizeForMallocHeader); // throws the range error
}

/**
 * Go's `mspan.objIndex` for a span of `sizeclass` in the default tables: the
 * index of the object holding byte `offset`, `(offset * divMul) >>> 32`
 * exactly. Class 0 (a large object) gives 0.
 *
 * @param offset - an integer in [0, npages * pageSize] (any uint32 for class 0).
 * @throws SizeClassRangeError for a class or offset outside its domain.
 */
export function objIndex(sizeclass: number, offset: number): number {
  if (
    sizeclass >>> 0 === sizeclass &&
    sizeclass < numSizeClasses &&
    offset >>> 0 === offset &&
    (sizeclass === 0 || offset <= class_to_allocnpages[sizeclass]! * pageSize)
  ) {
    return mulhi32(offset, class_to_divmagic[sizeclass]!);
  }
  return d.objIndex(sizeclass, offset); // throws the range error
}
