/**
 * The numbers Go's generator prints in the comment table of sizeclasses.go
 * (printComment): per class the span size, objects per span, tail waste,
 * worst-case waste and guaranteed alignment, then the smallest object size at
 * each alignment; plus the two maxima Go 1.26 also prints as constants. They
 * are derived from the class sizes and page counts alone.
 * See docs/design.md, "Layers".
 */
import type { SizeClassParams } from "./params.js";

/** One row of Go's comment table (class ≥ 1; row 0 is all zeros). */
export interface SizeClassInfo {
  /** The size class. */
  readonly sizeclass: number;
  /** bytes/obj: the class's object size. */
  readonly size: number;
  /** Pages per span. */
  readonly npages: number;
  /** bytes/span: `npages << pageShift`. */
  readonly bytesPerSpan: number;
  /** objects: objects per span, `floor(bytesPerSpan / size)`. */
  readonly objects: number;
  /** tail waste: bytes left over at the end of a span. */
  readonly tailWaste: number;
  /**
   * max waste, in percent, computed as Go does in float64: the share of a span
   * lost when every object holds the smallest size that maps to this class.
   */
  readonly maxWaste: number;
  /** min align: `1 << min(trailingZeros(size), pageShift)`. */
  readonly minAlign: number;
}

/** One row of Go's alignment table: the smallest object size at each guaranteed alignment. */
export interface MinAlignRow {
  /** `1 << bits`. */
  readonly alignment: number;
  /** log2 of the alignment. */
  readonly bits: number;
  /** The smallest class size with at least this alignment. */
  readonly minObjSize: number;
}

/** The derived part of a size-class table. */
export interface ClassStats {
  /** Comment-table rows, indexed by class (row 0 is zeros). */
  readonly classes: readonly SizeClassInfo[];
  /** The alignment table under the comment table. */
  readonly minAligns: readonly MinAlignRow[];
  /** `MaxObjsPerSpan`: the most objects any span holds (printed by Go 1.26). */
  readonly maxObjsPerSpan: number;
  /** `MaxSizeClassNPages`: the most pages any class's span has (printed by Go 1.26). */
  readonly maxSizeClassNPages: number;
}

/**
 * Computes {@link ClassStats} from class sizes and page counts (index 0 is
 * the dummy class), exactly as Go's printComment, maxObjsPerSpan and
 * maxNPages do. Sizes of classes ≥ 1 must be positive integers below 2^31.
 */
export function classStats(
  p: Pick<SizeClassParams, "pageShift">,
  sizes: readonly number[],
  npages: readonly number[],
): ClassStats {
  const pageSize = 2 ** p.pageShift;
  const classes: SizeClassInfo[] = [
    { sizeclass: 0, size: 0, npages: 0, bytesPerSpan: 0, objects: 0, tailWaste: 0, maxWaste: 0, minAlign: 0 },
  ];
  const minAlignAt = new Array<number>(p.pageShift + 1).fill(0);
  let prevSize = 0;
  for (let c = 1; c < sizes.length; c++) {
    const size = sizes[c]!;
    const spanSize = npages[c]! * pageSize;
    const objects = Math.floor(spanSize / size);
    const tailWaste = spanSize - size * objects;
    const maxWaste = ((size - prevSize - 1) * objects + tailWaste) / spanSize;
    const alignBits = Math.min(31 - Math.clz32(size & -size), p.pageShift);
    for (let b = 0; b < minAlignAt.length; b++) {
      if (b > alignBits) minAlignAt[b] = 0;
      else if (minAlignAt[b] === 0) minAlignAt[b] = size;
    }
    prevSize = size;
    classes.push({
      sizeclass: c,
      size,
      npages: npages[c]!,
      bytesPerSpan: spanSize,
      objects,
      tailWaste,
      maxWaste: 100 * maxWaste,
      minAlign: 2 ** alignBits,
    });
  }
  const minAligns: MinAlignRow[] = [];
  for (let b = 0; b < minAlignAt.length; b++) {
    const size = minAlignAt[b]!;
    if (size === 0) break;
    if (b + 1 < minAlignAt.length && size === minAlignAt[b + 1]) continue;
    minAligns.push({ alignment: 2 ** b, bits: b, minObjSize: size });
  }
  let maxObjsPerSpan = 0;
  let maxSizeClassNPages = 0;
  for (const r of classes) {
    maxObjsPerSpan = Math.max(maxObjsPerSpan, r.objects);
    maxSizeClassNPages = Math.max(maxSizeClassNPages, r.npages);
  }
  return { classes, minAligns, maxObjsPerSpan, maxSizeClassNPages };
}
