/**
 * Span classes on the default tables (Go's mheap.go): a span class packs a
 * size class and the noscan bit into one small integer,
 * `spanClass = sizeclass<<1 | noscan`, which indexes mcache.alloc and
 * mheap.central. Only small integers go through the bitwise operators here.
 * Non-default tables have the same helpers as methods of SizeClasses.
 * See docs/design.md, "Glossary".
 */
import { SizeClassRangeError } from "./errors.js";
import { defaultSizeClasses } from "./sizeclasses.js";

const NUM_SIZE_CLASSES = defaultSizeClasses.numSizeClasses;

/** `numSpanClasses = _NumSizeClasses << 1` of the default tables. */
export const numSpanClasses: number = defaultSizeClasses.numSpanClasses;

/** `tinySpanClass = spanClass(tinySizeClass<<1 | 1)` of the default tables. */
export const tinySpanClass: number = defaultSizeClasses.tinySpanClass;

/**
 * Go's `makeSpanClass(sizeclass, noscan)`: `sizeclass<<1 | noscan`.
 *
 * @param sizeclass - an integer in [0, numSizeClasses).
 * @throws SizeClassRangeError for any other sizeclass.
 */
export function makeSpanClass(sizeclass: number, noscan: boolean): number {
  if (sizeclass >>> 0 === sizeclass && sizeclass < NUM_SIZE_CLASSES) return (sizeclass << 1) | (noscan ? 1 : 0);
  throw new SizeClassRangeError("makeSpanClass", sizeclass, `a size class, an integer in [0, ${NUM_SIZE_CLASSES})`);
}

/**
 * Go's `spanClass.sizeclass()`: the size class of span class `spc`.
 *
 * @param spc - an integer in [0, numSpanClasses).
 * @throws SizeClassRangeError for any other value.
 */
export function sizeclass(spc: number): number {
  if (spc >>> 0 === spc && spc < numSpanClasses) return spc >>> 1;
  throw new SizeClassRangeError("sizeclass", spc, `a span class, an integer in [0, ${numSpanClasses})`);
}

/**
 * Go's `spanClass.noscan()`: whether span class `spc` holds pointer-free objects.
 *
 * @param spc - an integer in [0, numSpanClasses).
 * @throws SizeClassRangeError for any other value.
 */
export function noscan(spc: number): boolean {
  if (spc >>> 0 === spc && spc < numSpanClasses) return (spc & 1) !== 0;
  throw new SizeClassRangeError("noscan", spc, `a span class, an integer in [0, ${numSpanClasses})`);
}
