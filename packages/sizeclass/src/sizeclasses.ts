/**
 * SizeClasses: one size-class table in typed arrays, with the lookups the
 * allocator's hot path makes — Go's sizeclasses.go arrays plus msize.go's
 * roundupsize, mheap.go's spanClass helpers and mbitmap.go's magic division.
 * Every lookup reads plain typed arrays and small integers and allocates
 * nothing; an argument outside its domain throws SizeClassRangeError (one
 * cheap `x >>> 0 === x` test on the fast path). Build one for non-default
 * parameters with {@link SizeClasses.generate}; the module-level functions of
 * msize.ts and spanclass.ts serve the default table. See docs/design.md,
 * "Layers".
 */
import { mulhi32 } from "./divmagic.js";
import { SizeClassRangeError } from "./errors.js";
import { mksizeclasses, type SizeClassTable } from "./mksizeclasses.js";
import type { GoVersion, SizeClassParams } from "./params.js";
import { checkSizeClassTable } from "./tablecheck.js";
import { defaultTable } from "./tables.generated.js";

/** Go 1.26's `MallocHeaderSize`: the bytes of type header in front of a larger scannable object. */
export const mallocHeaderSize = 8;

/** `MinSizeForMallocHeader` on 64-bit platforms (`PtrSize * PtrBits` = 8 × 64); 128 on 32-bit ones. */
export const defaultMinSizeForMallocHeader = 512;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * A size-class table and its hot-path lookups. The typed arrays are the
 * tables themselves: read them freely, never write them.
 */
export class SizeClasses {
  /** The generated table this object was built from. */
  readonly table: SizeClassTable;
  /** The Go version whose tables and roundupsize semantics these are. */
  readonly goVersion: GoVersion;
  /** `_PageShift`. */
  readonly pageShift: number;
  /** `_PageSize`, `1 << pageShift`. */
  readonly pageSize: number;
  /** `_MaxSmallSize`: the largest size with a size class. */
  readonly maxSmallSize: number;
  /** `smallSizeDiv`. */
  readonly smallSizeDiv: number;
  /** `smallSizeMax`. */
  readonly smallSizeMax: number;
  /** `largeSizeDiv`. */
  readonly largeSizeDiv: number;
  /** `_NumSizeClasses`, class 0 included. */
  readonly numSizeClasses: number;
  /** `numSpanClasses = _NumSizeClasses << 1`. */
  readonly numSpanClasses: number;
  /** `_TinySize`. */
  readonly tinySize: number;
  /** `_TinySizeClass`: the class of tinySize. */
  readonly tinySizeClass: number;
  /** `tinySpanClass = tinySizeClass<<1 | 1` (noscan). */
  readonly tinySpanClass: number;
  /** `MaxObjsPerSpan`. */
  readonly maxObjsPerSpan: number;
  /** `class_to_size` / `SizeClassToSize`: object size per class. */
  readonly class_to_size: Uint16Array;
  /** `class_to_allocnpages` / `SizeClassToNPages`: pages per span per class. */
  readonly class_to_allocnpages: Uint8Array;
  /** `class_to_divmagic` / `SizeClassToDivMagic`: `^uint32(0)/size + 1` per class (0 for class 0). */
  readonly class_to_divmagic: Uint32Array;
  /** Objects per span per class (Go's `mspan.nelems` for a span of that class; 0 for class 0). */
  readonly class_to_nelems: Uint32Array;
  /** `size_to_class8` / `SizeToSizeClass8`: class of `i * smallSizeDiv`. */
  readonly size_to_class8: Uint8Array;
  /** `size_to_class128` / `SizeToSizeClass128`: class of `smallSizeMax + i * largeSizeDiv`. */
  readonly size_to_class128: Uint8Array;
  private readonly go119: boolean;

  private constructor(table: SizeClassTable) {
    const p = table.params;
    this.table = table;
    this.goVersion = p.goVersion;
    this.go119 = p.goVersion === "1.19";
    this.pageShift = p.pageShift;
    this.pageSize = 2 ** p.pageShift;
    this.maxSmallSize = p.maxSmallSize;
    this.smallSizeDiv = p.smallSizeDiv;
    this.smallSizeMax = p.smallSizeMax;
    this.largeSizeDiv = p.largeSizeDiv;
    this.numSizeClasses = table.numSizeClasses;
    this.numSpanClasses = table.numSizeClasses * 2;
    this.tinySize = p.tinySize;
    this.tinySizeClass = table.tinySizeClass;
    this.tinySpanClass = table.tinySizeClass * 2 + 1;
    this.maxObjsPerSpan = table.maxObjsPerSpan;
    this.class_to_size = Uint16Array.from(table.class_to_size);
    this.class_to_allocnpages = Uint8Array.from(table.class_to_allocnpages);
    this.class_to_divmagic = Uint32Array.from(table.class_to_divmagic);
    this.class_to_nelems = Uint32Array.from(table.classes, (r) => r.objects);
    this.size_to_class8 = Uint8Array.from(table.size_to_class8);
    this.size_to_class128 = Uint8Array.from(table.size_to_class128);
  }

  /**
   * Runs the generator ({@link mksizeclasses}) and wraps its table.
   * Throws what mksizeclasses throws.
   */
  static generate(params: Partial<SizeClassParams> = {}): SizeClasses {
    return new SizeClasses(mksizeclasses(params));
  }

  /**
   * Wraps a table from elsewhere (e.g. parsed JSON) after checking every
   * invariant. Throws SizeClassTableError or SizeClassParamsError.
   */
  static fromTable(table: SizeClassTable): SizeClasses {
    checkSizeClassTable(table);
    return new SizeClasses(table);
  }

  /**
   * The package's default tables (Go's parameters; see
   * {@link defaultGoVersion}), from src/tables.generated.ts. Built without
   * re-running the checker: a test checks and regenerates that file.
   */
  static readonly defaults: SizeClasses = new SizeClasses(defaultTable);

  /**
   * The size class of an allocation of `size` bytes: Go's two-table lookup,
   * `size_to_class8[divRoundUp(size, smallSizeDiv)]` up to smallSizeMax, else
   * `size_to_class128[divRoundUp(size - smallSizeMax, largeSizeDiv)]`.
   * Returns 0 for size 0 and for sizes above maxSmallSize (Go allocates those
   * as large objects, one span each).
   *
   * @param size - an integer in [0, 2^53).
   */
  sizeToClass(size: number): number {
    if (size >>> 0 === size && size <= this.maxSmallSize) {
      if (size <= this.smallSizeMax)
        return this.size_to_class8[((size + this.smallSizeDiv - 1) / this.smallSizeDiv) | 0]!;
      return this.size_to_class128[((size - this.smallSizeMax + this.largeSizeDiv - 1) / this.largeSizeDiv) | 0]!;
    }
    if (Number.isSafeInteger(size) && size > 0) return 0;
    throw new SizeClassRangeError("sizeToClass", size, "an integer in [0, 2^53)");
  }

  /** Object size of class `sizeclass` (`class_to_size`); 0 for class 0. */
  classToSize(sizeclass: number): number {
    if (sizeclass >>> 0 === sizeclass && sizeclass < this.numSizeClasses) return this.class_to_size[sizeclass]!;
    throw this.badClass("classToSize", sizeclass);
  }

  /** Pages per span of class `sizeclass` (`class_to_allocnpages`); 0 for class 0. */
  classToNPages(sizeclass: number): number {
    if (sizeclass >>> 0 === sizeclass && sizeclass < this.numSizeClasses) return this.class_to_allocnpages[sizeclass]!;
    throw this.badClass("classToNPages", sizeclass);
  }

  /** The divMul of class `sizeclass` (`class_to_divmagic`); 0 for class 0. */
  classToDivMagic(sizeclass: number): number {
    if (sizeclass >>> 0 === sizeclass && sizeclass < this.numSizeClasses) return this.class_to_divmagic[sizeclass]!;
    throw this.badClass("classToDivMagic", sizeclass);
  }

  /** Objects per span of class `sizeclass` (`npages * pageSize / size`, Go's `nelems`); 0 for class 0. */
  classToNElems(sizeclass: number): number {
    if (sizeclass >>> 0 === sizeclass && sizeclass < this.numSizeClasses) return this.class_to_nelems[sizeclass]!;
    throw this.badClass("classToNElems", sizeclass);
  }

  /**
   * Go's `roundupsize`: the bytes malloc really hands out for `size`.
   * Small sizes round up to their class size; larger ones to whole pages.
   * With Go 1.26 tables it is Go 1.26's `roundupsize(size, noscan)`: a
   * scannable object over `minSizeForMallocHeader` carries an 8-byte header,
   * which is added before the lookup and not counted in the result. Go 1.19
   * has no header and ignores `noscan`.
   *
   * @param size - an integer in [0, 2^53 − pageSize].
   * @param noscan - the object holds no pointers. @defaultValue true
   * @param minSizeForMallocHeader - Go's `PtrSize * PtrBits`. @defaultValue 512
   */
  roundupsize(size: number, noscan = true, minSizeForMallocHeader = defaultMinSizeForMallocHeader): number {
    if (!(size >>> 0 === size || (Number.isSafeInteger(size) && size > 0 && size <= MAX_SAFE + 1 - this.pageSize))) {
      throw new SizeClassRangeError("roundupsize", size, "an integer in [0, 2^53 - pageSize]");
    }
    if (!noscan && minSizeForMallocHeader >>> 0 !== minSizeForMallocHeader) {
      throw new SizeClassRangeError("roundupsize", minSizeForMallocHeader, "an integer in [0, 2^32)");
    }
    if (this.go119) {
      if (size < this.maxSmallSize) return this.class_to_size[this.sizeToClass(size)]!;
    } else if (size <= this.maxSmallSize - mallocHeaderSize) {
      const req = !noscan && size > minSizeForMallocHeader ? size + mallocHeaderSize : size;
      return this.class_to_size[this.sizeToClass(req)]! - (req - size);
    }
    return Math.ceil(size / this.pageSize) * this.pageSize;
  }

  /**
   * Go's `mspan.objIndex` for a span of class `sizeclass`: the index of the
   * object holding byte `offset` of the span, `(offset * divMul) >>> 32`
   * computed exactly. Class 0 (a large object) always gives 0.
   *
   * @param offset - an integer in [0, npages * pageSize] (any uint32 for class 0).
   */
  objIndex(sizeclass: number, offset: number): number {
    if (
      sizeclass >>> 0 === sizeclass &&
      sizeclass < this.numSizeClasses &&
      offset >>> 0 === offset &&
      (sizeclass === 0 || offset <= this.class_to_allocnpages[sizeclass]! * this.pageSize)
    ) {
      return mulhi32(offset, this.class_to_divmagic[sizeclass]!);
    }
    if (sizeclass >>> 0 === sizeclass && sizeclass < this.numSizeClasses) {
      throw new SizeClassRangeError(
        "objIndex",
        offset,
        `an offset in [0, ${this.class_to_allocnpages[sizeclass]! * this.pageSize}]`,
      );
    }
    throw this.badClass("objIndex", sizeclass);
  }

  /** Go's `makeSpanClass`: `sizeclass<<1 | noscan`. */
  makeSpanClass(sizeclass: number, noscan: boolean): number {
    if (sizeclass >>> 0 === sizeclass && sizeclass < this.numSizeClasses) return (sizeclass << 1) | (noscan ? 1 : 0);
    throw this.badClass("makeSpanClass", sizeclass);
  }

  /** Go's `spanClass.sizeclass()`: `spc >> 1`. */
  sizeclass(spc: number): number {
    if (spc >>> 0 === spc && spc < this.numSpanClasses) return spc >>> 1;
    throw this.badSpanClass("sizeclass", spc);
  }

  /** Go's `spanClass.noscan()`: `spc & 1 != 0`. */
  noscan(spc: number): boolean {
    if (spc >>> 0 === spc && spc < this.numSpanClasses) return (spc & 1) !== 0;
    throw this.badSpanClass("noscan", spc);
  }

  private badClass(fn: string, v: number): SizeClassRangeError {
    return new SizeClassRangeError(fn, v, `a size class, an integer in [0, ${this.numSizeClasses})`);
  }

  private badSpanClass(fn: string, v: number): SizeClassRangeError {
    return new SizeClassRangeError(fn, v, `a span class, an integer in [0, ${this.numSpanClasses})`);
  }
}

/** The package's default tables: {@link SizeClasses.defaults}. */
export const defaultSizeClasses: SizeClasses = SizeClasses.defaults;
