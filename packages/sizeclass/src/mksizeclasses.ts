/**
 * A port of Go's size-class generator, mksizeclasses.go (Go 1.19:
 * src/runtime/mksizeclasses.go; Go 1.26: src/runtime/_mkmalloc/, run as
 * `-stdout`). It picks object sizes and span page counts so that rounding up
 * and chopping spans each waste at most 1/8, checks that division by every
 * size can be done with a 32-bit magic multiply, and derives the size→class
 * lookup tables and the statistics Go prints in the file's comment table.
 * Every panic of Go's generator, and the one parameter combination that stops
 * its source compiling, is reproduced as a MkSizeClassesError with Go's text;
 * tables Go would print but its runtime could not use are refused by
 * {@link checkSizeClassTable}. See docs/design.md, "Layers".
 */
import { type ClassStats, classStats } from "./classinfo.js";
import { divMagic, firstBadOffset } from "./divmagic.js";
import { MkSizeClassesError, SizeClassTableError } from "./errors.js";
import { type GoVersion, resolveParams, type SizeClassParams } from "./params.js";
import { checkSizeClassTable } from "./tablecheck.js";

/**
 * A generated size-class table: Go's arrays plus the derived numbers.
 *
 * Invariants (checked by {@link checkSizeClassTable}; n = numSizeClasses, c ≥ 1):
 * - SC1: class 0 is the dummy: `class_to_size[0] = class_to_allocnpages[0] = class_to_divmagic[0] = 0`.
 * - SC2: sizes strictly increase: `class_to_size[c-1] < class_to_size[c]`.
 * - SC3: sizes are aligned: `class_to_size[c] % minHeapAlign = 0`.
 * - SC4: spans hold objects, with at most 1/8 tail waste:
 *   `npages ≥ 1`, `objects = floor(npages·pageSize / size) ≥ 1`, `tailWaste ≤ floor(npages·pageSize / 8)`.
 * - SC5: the magic divides exactly: `class_to_divmagic[c] = (floor((2^32−1)/size) + 1) mod 2^32` and
 *   `mulhi32(off, divmagic) = floor(off / size)` for every `off` in [0, npages·pageSize].
 * - SC6: each lookup entry is the smallest class that fits:
 *   `size_to_class8[i] = min{c : class_to_size[c] ≥ i·smallSizeDiv}`,
 *   `size_to_class128[i] = min{c : class_to_size[c] ≥ smallSizeMax + i·largeSizeDiv}`.
 * - SC7: the two-table lookup covers every size and is minimal: for every s in [1, maxSmallSize],
 *   `sizeToClass(s) = min{c : class_to_size[c] ≥ s}` (tables reach maxSmallSize exactly,
 *   and no class size falls strictly inside a table granule).
 * - SC8: Go's runtime types hold it: sizes ≤ 65535 (uint16), npages ≤ 255 (uint8),
 *   n ≤ 128 (a spanClass is a uint8 `sizeclass<<1 | noscan`).
 * - SC9: `tinySizeClass = min{c : class_to_size[c] ≥ tinySize}` exists, and the derived
 *   numbers (`classes`, `maxObjsPerSpan`, `maxSizeClassNPages`, `minAligns`) agree with the arrays.
 */
export interface SizeClassTable extends ClassStats {
  /** The parameters it was generated from. */
  readonly params: SizeClassParams;
  /** `_NumSizeClasses` / `NumSizeClasses`, class 0 included. */
  readonly numSizeClasses: number;
  /** `class_to_size` / `SizeClassToSize`: object size per class. */
  readonly class_to_size: readonly number[];
  /** `class_to_allocnpages` / `SizeClassToNPages`: pages per span per class. */
  readonly class_to_allocnpages: readonly number[];
  /** `class_to_divmagic` / `SizeClassToDivMagic`: `^uint32(0)/size + 1` per class, 0 for class 0. */
  readonly class_to_divmagic: readonly number[];
  /** `size_to_class8` / `SizeToSizeClass8`: the class of size `i * smallSizeDiv`. */
  readonly size_to_class8: readonly number[];
  /** `size_to_class128` / `SizeToSizeClass128`: the class of size `smallSizeMax + i * largeSizeDiv`. */
  readonly size_to_class128: readonly number[];
  /** `TinySizeClass`: the class of `tinySize` (printed by Go 1.26; `_TinySizeClass` in 1.19's malloc.go). */
  readonly tinySizeClass: number;
}

interface Class {
  size: number;
  npages: number;
}

/**
 * Runs Go's generator with `overrides` on top of the defaults of
 * `overrides.goVersion` (Go 1.26 by default) and returns the table.
 *
 * @throws SizeClassParamsError - a parameter outside {@link paramRanges}.
 * @throws MkSizeClassesError - Go's generator refuses (its panic text in `goReason`).
 * @throws SizeClassTableError - Go would print the table, but it breaks an invariant.
 */
export function mksizeclasses(overrides: Partial<SizeClassParams> = {}): SizeClassTable {
  const table = mksizeclassesUnchecked(overrides);
  try {
    checkSizeClassTable(table);
  } catch (e) {
    if (!(e instanceof SizeClassTableError)) throw e;
    const subject = `Go ${table.params.goVersion}'s mksizeclasses would print this table, but it`;
    throw new SizeClassTableError(e.invariant, e.detail, subject);
  }
  return table;
}

/**
 * The generator without the final invariant check: exactly what Go's
 * generator would print (or its refusal). Internal: for tests that compare
 * with Go's output on tables {@link mksizeclasses} refuses.
 */
export function mksizeclassesUnchecked(overrides: Partial<SizeClassParams> = {}): SizeClassTable {
  const p = resolveParams(overrides);
  const n128 = Math.trunc((p.maxSmallSize - p.smallSizeMax) / p.largeSizeDiv) + 1;
  if (n128 < 0) {
    throw new MkSizeClassesError(
      p.goVersion,
      "compile",
      `invalid argument: index (maxSmallSize - smallSizeMax) / largeSizeDiv + 1 (constant ${n128} of type int) must not be negative`,
    );
  }
  const classes = makeClasses(p);
  if (p.goVersion === "1.26") makeSizeToSizeClass(p, classes);
  return buildTable(p, classes, n128);
}

function panic(v: GoVersion, reason: string, printed = "", hint = "", numSizeClasses?: number): MkSizeClassesError {
  return new MkSizeClassesError(v, "panic", reason, printed, hint, numSizeClasses);
}

// Sizes stay below 2^24 in the supported domain, so 32-bit bit tricks are exact.
function powerOfTwo(x: number): boolean {
  return x > 0 && (x & (x - 1)) === 0;
}

function makeClasses(p: SizeClassParams): Class[] {
  const pageSize = 2 ** p.pageShift;
  const classes: Class[] = [{ size: 0, npages: 0 }];
  let align = p.minHeapAlign;
  for (let size = align; size <= p.maxSmallSize; size += align) {
    if (powerOfTwo(size)) {
      if (size >= 2048) align = 256;
      else if (size >= 128) align = size / 8;
      else if (size >= 32) align = 16;
    }
    if (!powerOfTwo(align)) throw panic(p.goVersion, "incorrect alignment");
    // Grow the span a page at a time until the tail left after the last object is at most 1/8 of it.
    let allocsize = pageSize;
    while (allocsize % size > Math.floor(allocsize / 8)) allocsize += pageSize;
    const npages = allocsize / pageSize;
    const last = classes[classes.length - 1]!;
    if (
      classes.length > 1 &&
      npages === last.npages &&
      Math.floor(allocsize / size) === Math.floor(allocsize / last.size)
    ) {
      last.size = size; // same span, same object count: keep only the larger size
      continue;
    }
    classes.push({ size, npages });
  }
  // Raise each size to the largest one giving the same object count, kept largeSizeDiv-aligned (Go's &^).
  for (let i = 1; i < classes.length; i++) {
    const c = classes[i]!;
    const psize = c.npages * pageSize;
    const raised = Math.floor(psize / Math.floor(psize / c.size)) & ~(p.largeSizeDiv - 1);
    if (raised > c.size) c.size = raised;
  }
  if (p.expectNumSizeClasses !== null && classes.length !== p.expectNumSizeClasses) {
    const hint =
      ` [these parameters give ${classes.length} classes, Go's check wants ${p.expectNumSizeClasses};` +
      ` set expectNumSizeClasses to ${classes.length} or null to accept them]`;
    throw panic(p.goVersion, "number of size classes has changed", "", hint, classes.length);
  }
  for (const c of classes) computeDivMagic(p, c, pageSize);
  return classes;
}

/**
 * Go's computeDivMagic: refuses a class whose division needs more than 32
 * fractional bits (Lemire, Kaser, Kurz, arXiv:1902.01961, algorithm 2, with
 * Go's int64 shift semantics), then checks the multiply for every offset.
 */
function computeDivMagic(p: SizeClassParams, c: Class, pageSize: number): void {
  const d = c.size;
  if (d === 0) return;
  const max = c.npages * pageSize;
  const N = 32 - Math.clz32(max);
  let F: number;
  if (powerOfTwo(d)) {
    F = 31 - Math.clz32(d); // exact, so Go's "imprecise log2" panic cannot happen here
  } else {
    const bd = BigInt(d);
    for (let L = 0; ; L++) {
      const pow = BigInt.asIntN(64, 1n << BigInt(N + L)); // Go: int(1)<<s, 0 once s ≥ 64
      if (bd <= (pow % bd) + BigInt.asIntN(64, 1n << BigInt(L))) {
        F = N + L;
        break;
      }
    }
  }
  if (F > 32) {
    throw panic(p.goVersion, "size class requires more than 32 bits of precision", `d=${d} max=${max} N=${N} F=${F}`);
  }
  const m = divMagic(d);
  const n = firstBadOffset(d, m, max);
  if (n >= 0) throw panic(p.goVersion, "bad 32-bit multiply magic", `d=${d} max=${max} m=${m} n=${n}`);
}

/** Go 1.26's makeSizeToSizeClass (mkmalloc.go), kept for its index-out-of-range panic. */
function makeSizeToSizeClass(p: SizeClassParams, classes: Class[]): void {
  let sc = 0; // a uint8 in Go
  for (let i = 0; i <= p.smallScanNoHeaderMax; i++) {
    if (sc >= classes.length) {
      throw panic(p.goVersion, `runtime error: index out of range [${sc}] with length ${classes.length}`);
    }
    if (i > classes[sc]!.size) sc = (sc + 1) & 0xff;
  }
}

function buildTable(p: SizeClassParams, classes: Class[], n128: number): SizeClassTable {
  // Go scans for the first class with size ≥ s. The first index whose running
  // maximum reaches s is that same index, and running maxima can be bisected.
  const runMax: number[] = [];
  for (const c of classes) runMax.push(Math.max(c.size, runMax[runMax.length - 1] ?? 0));
  const classOf = (size: number): number => {
    let lo = 0;
    let hi = classes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runMax[mid]! >= size) hi = mid;
      else lo = mid + 1;
    }
    if (lo === classes.length) {
      if (p.goVersion === "1.26") throw panic(p.goVersion, "unreachable");
      return 0; // Go 1.19 leaves the entry 0; checkSizeClassTable refuses that (SC6)
    }
    return lo;
  };
  const tinySizeClass = classOf(p.tinySize);
  const size_to_class8: number[] = [];
  const n8 = Math.floor(p.smallSizeMax / p.smallSizeDiv) + 1;
  for (let i = 0; i < n8; i++) size_to_class8.push(classOf(i * p.smallSizeDiv));
  const size_to_class128: number[] = [];
  for (let i = 0; i < n128; i++) size_to_class128.push(classOf(p.smallSizeMax + i * p.largeSizeDiv));

  const stats = classStats(
    p,
    classes.map((c) => c.size),
    classes.map((c) => c.npages),
  );
  return {
    params: p,
    numSizeClasses: classes.length,
    class_to_size: classes.map((c) => c.size),
    class_to_allocnpages: classes.map((c) => c.npages),
    class_to_divmagic: classes.map((c) => (c.size === 0 ? 0 : divMagic(c.size))),
    size_to_class8,
    size_to_class128,
    ...stats,
    tinySizeClass,
  };
}
