/**
 * The checker for the invariants SC0–SC9 written on {@link SizeClassTable}.
 * The generator runs it on every table before returning it (a table Go's
 * generator would print but Go's runtime could not use is refused here),
 * `SizeClasses.fromTable` runs it on foreign tables, and the tests run it on
 * everything they generate. Each check states the first counterexample.
 * See docs/design.md, "Errors".
 */
import { classStats } from "./classinfo.js";
import { divMagic, firstBadOffset } from "./divmagic.js";
import { SizeClassTableError } from "./errors.js";
import type { SizeClassTable } from "./mksizeclasses.js";
import { paramRanges, resolveParams } from "./params.js";

function fail(id: string, detail: string): never {
  throw new SizeClassTableError(id, detail);
}

function isUint(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v < 2 ** 32;
}

/** The lookup lengths a table for these parameters has: [size_to_class8, size_to_class128]. */
export function lookupLengths(p: {
  maxSmallSize: number;
  smallSizeDiv: number;
  smallSizeMax: number;
  largeSizeDiv: number;
}): [number, number] {
  return [
    Math.floor(p.smallSizeMax / p.smallSizeDiv) + 1,
    Math.trunc((p.maxSmallSize - p.smallSizeMax) / p.largeSizeDiv) + 1,
  ];
}

/**
 * Checks every invariant of `t` (see {@link SizeClassTable}); returns
 * normally or throws.
 *
 * @throws SizeClassTableError - naming the broken invariant and its first counterexample.
 * @throws SizeClassParamsError - `t.params` is outside the supported domain.
 */
export function checkSizeClassTable(t: SizeClassTable): void {
  for (const key of ["goVersion", ...Object.keys(paramRanges)]) {
    if (typeof t.params !== "object" || t.params === null || !(key in t.params))
      fail("SC0", `params.${key} is missing`);
  }
  const p = resolveParams(t.params);
  const n = t.numSizeClasses;
  const size = t.class_to_size;
  const npages = t.class_to_allocnpages;
  const [n8, n128] = lookupLengths(p);
  // SC0: shape.
  if (!isUint(n) || n < 1) fail("SC0", `numSizeClasses ${n} is not a positive integer`);
  const arrays: [string, readonly number[], number][] = [
    ["class_to_size", size, n],
    ["class_to_allocnpages", npages, n],
    ["class_to_divmagic", t.class_to_divmagic, n],
    ["size_to_class8", t.size_to_class8, n8],
    ["size_to_class128", t.size_to_class128, Math.max(n128, 0)],
  ];
  for (const [name, a, len] of arrays) {
    if (!Array.isArray(a) || a.length !== len) fail("SC0", `${name} has length ${a?.length}, want ${len}`);
    const bad = a.findIndex((v) => !isUint(v));
    if (bad >= 0) fail("SC0", `${name}[${bad}] = ${a[bad]} is not a uint32`);
  }
  // SC1: the dummy class.
  if (size[0] !== 0 || npages[0] !== 0 || t.class_to_divmagic[0] !== 0) fail("SC1", "class 0 is not all zeros");
  const pageSize = 2 ** p.pageShift;
  for (let c = 1; c < n; c++) {
    const s = size[c]!;
    // SC2, SC3: increasing, aligned.
    if (!(size[c - 1]! < s)) fail("SC2", `class_to_size[${c - 1}] = ${size[c - 1]} ≥ class_to_size[${c}] = ${s}`);
    if (s % p.minHeapAlign !== 0)
      fail("SC3", `class ${c} size ${s} is not a multiple of minHeapAlign ${p.minHeapAlign}`);
    // SC4: span shape.
    const span = npages[c]! * pageSize;
    const objects = Math.floor(span / s);
    if (npages[c]! < 1 || objects < 1)
      fail("SC4", `class ${c} (${s} bytes) has ${npages[c]} pages, ${objects} objects`);
    if (span - objects * s > Math.floor(span / 8))
      fail("SC4", `class ${c} wastes ${span - objects * s} of ${span} bytes`);
    // SC5: exact magic division.
    const m = t.class_to_divmagic[c]!;
    if (m !== divMagic(s)) fail("SC5", `class_to_divmagic[${c}] = ${m}, want ${divMagic(s)}`);
    const bad = firstBadOffset(s, m, span);
    if (bad >= 0) fail("SC5", `class ${c}: offset ${bad} / ${s} is not (offset * ${m}) >> 32`);
  }
  // SC6: each lookup entry is the smallest class that fits its size.
  const smallest = (s: number): number => {
    let lo = 0; // sizes increase (SC2): bisect for the first class with size ≥ s
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (size[mid]! >= s) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const entries: [string, readonly number[], (i: number) => number][] = [
    ["size_to_class8", t.size_to_class8, (i) => i * p.smallSizeDiv],
    ["size_to_class128", t.size_to_class128, (i) => p.smallSizeMax + i * p.largeSizeDiv],
  ];
  for (const [name, tab, sizeAt] of entries) {
    for (let i = 0; i < tab.length; i++) {
      const want = smallest(sizeAt(i));
      if (want === n) fail("SC6", `${name}[${i}]: no class holds size ${sizeAt(i)} (the largest is ${size[n - 1]})`);
      if (tab[i] !== want) fail("SC6", `${name}[${i}] = ${tab[i]}, want ${want} (size ${sizeAt(i)})`);
    }
  }
  checkLookup(t, p.maxSmallSize, p.smallSizeDiv, p.smallSizeMax, p.largeSizeDiv);
  // SC8: Go's element types.
  if (n > 128) fail("SC8", `${n} classes do not fit a uint8 spanClass (at most 128)`);
  const big = size.findIndex((s) => s > 0xffff);
  if (big >= 0) fail("SC8", `class ${big} size ${size[big]} overflows class_to_size's uint16`);
  const many = npages.findIndex((v) => v > 0xff);
  if (many >= 0) fail("SC8", `class ${many} has ${npages[many]} pages, over class_to_allocnpages' uint8`);
  // SC9: tiny class and derived numbers.
  const tiny = smallest(p.tinySize);
  if (tiny === n) fail("SC9", `no class holds tinySize ${p.tinySize}`);
  if (t.tinySizeClass !== tiny) fail("SC9", `tinySizeClass = ${t.tinySizeClass}, want ${tiny}`);
  const stats = classStats(p, size, npages);
  for (const key of ["classes", "minAligns", "maxObjsPerSpan", "maxSizeClassNPages"] as const) {
    if (JSON.stringify(t[key]) !== JSON.stringify(stats[key])) fail("SC9", `${key} does not match the class arrays`);
  }
}

/**
 * SC7: for every size s in [1, maxSmallSize] the two-table lookup — and Go's
 * own form of it, which switches tables at `smallSizeMax - 8` and relies on
 * uintptr wrap-around for the sizes just below smallSizeMax — gives the
 * smallest class that fits.
 */
function checkLookup(t: SizeClassTable, maxSmallSize: number, sd: number, sm: number, ld: number): void {
  const size = t.class_to_size;
  const t8 = t.size_to_class8;
  const t128 = t.size_to_class128;
  let c = 0;
  for (let s = 1; s <= maxSmallSize; s++) {
    while (c < size.length && size[c]! < s) c++;
    if (c === size.length) fail("SC7", `no class holds size ${s} (the largest is ${size[c - 1]})`);
    const small = s <= sm;
    const i = small ? Math.ceil(s / sd) : Math.ceil((s - sm) / ld);
    const tab = small ? t8 : t128;
    if (i >= tab.length) fail("SC7", `size ${s} is past the end of size_to_class${small ? 8 : 128}`);
    if (tab[i] !== c) {
      fail("SC7", `size ${s} looks up class ${tab[i]} but class ${c} (${size[c]} bytes) is the smallest that fits`);
    }
    if (s > sm - 8 && s <= sm) {
      const x = s - sm + ld - 1; // Go: divRoundUp(size-smallSizeMax, largeSizeDiv) in uintptr
      if (x < 0 || Math.floor(x / ld) >= t128.length || t128[Math.floor(x / ld)] !== c) {
        fail("SC7", `Go's lookup of size ${s} (past smallSizeMax-8, in size_to_class128) does not give class ${c}`);
      }
    }
  }
}
