/**
 * The Go source emitter: writes the sizeclasses.go that Go's generator writes
 * for the table's Go version, byte for byte — the generated-code header, the
 * comment table, the const block and the five arrays, in the layout gofmt
 * gives them (Go 1.19: package runtime, unexported names; Go 1.26: package
 * gc in src/internal/runtime/gc/, exported names). It writes gofmt's output
 * directly; the only formatting rule that depends on the data is the
 * alignment of `=` in the const block. See docs/design.md, "Layers".
 */
import type { SizeClassTable } from "./mksizeclasses.js";
import type { GoVersion } from "./params.js";

/** Go's identifiers for the generated constants and arrays, per version. */
export interface GoNames {
  /** Where Go keeps the generated file, relative to GOROOT. */
  readonly file: string;
  /** The Go package the file belongs to. */
  readonly package: string;
  /** The `//go:generate` command in the file's header. */
  readonly generate: string;
  /** Go's name for maxSmallSize (`_MaxSmallSize` / `MaxSmallSize`). */
  readonly maxSmallSize: string;
  /** Go's name for smallSizeDiv. */
  readonly smallSizeDiv: string;
  /** Go's name for smallSizeMax. */
  readonly smallSizeMax: string;
  /** Go's name for largeSizeDiv. */
  readonly largeSizeDiv: string;
  /** Go's name for the class count (`_NumSizeClasses` / `NumSizeClasses`). */
  readonly numSizeClasses: string;
  /** Go's name for pageShift (`_PageShift` / `PageShift`). */
  readonly pageShift: string;
  /** Go's name for class_to_size (`SizeClassToSize` in 1.26). */
  readonly class_to_size: string;
  /** Go's name for class_to_allocnpages (`SizeClassToNPages` in 1.26). */
  readonly class_to_allocnpages: string;
  /** Go's name for class_to_divmagic (`SizeClassToDivMagic` in 1.26). */
  readonly class_to_divmagic: string;
  /** Go's name for size_to_class8 (`SizeToSizeClass8` in 1.26). */
  readonly size_to_class8: string;
  /** Go's name for size_to_class128 (`SizeToSizeClass128` in 1.26). */
  readonly size_to_class128: string;
}

const names119: GoNames = Object.freeze({
  file: "src/runtime/sizeclasses.go",
  package: "runtime",
  generate: "go run mksizeclasses.go",
  maxSmallSize: "_MaxSmallSize",
  smallSizeDiv: "smallSizeDiv",
  smallSizeMax: "smallSizeMax",
  largeSizeDiv: "largeSizeDiv",
  numSizeClasses: "_NumSizeClasses",
  pageShift: "_PageShift",
  class_to_size: "class_to_size",
  class_to_allocnpages: "class_to_allocnpages",
  class_to_divmagic: "class_to_divmagic",
  size_to_class8: "size_to_class8",
  size_to_class128: "size_to_class128",
});

const names126: GoNames = Object.freeze({
  file: "src/internal/runtime/gc/sizeclasses.go",
  package: "gc",
  generate: "go -C ../../../runtime/_mkmalloc run mksizeclasses.go",
  maxSmallSize: "MaxSmallSize",
  smallSizeDiv: "SmallSizeDiv",
  smallSizeMax: "SmallSizeMax",
  largeSizeDiv: "LargeSizeDiv",
  numSizeClasses: "NumSizeClasses",
  pageShift: "PageShift",
  class_to_size: "SizeClassToSize",
  class_to_allocnpages: "SizeClassToNPages",
  class_to_divmagic: "SizeClassToDivMagic",
  size_to_class8: "SizeToSizeClass8",
  size_to_class128: "SizeToSizeClass128",
});

/** Go's identifiers in the sizeclasses.go of `goVersion`. */
export function goNames(goVersion: GoVersion): GoNames {
  return goVersion === "1.19" ? names119 : names126;
}

/** The const block of `t`'s sizeclasses.go as [Go identifier, value] pairs, in Go's order. */
export function goConstants(t: SizeClassTable): [string, number][] {
  const p = t.params;
  const g = goNames(p.goVersion);
  const common: [string, number][] = [
    [g.maxSmallSize, p.maxSmallSize],
    [g.smallSizeDiv, p.smallSizeDiv],
    [g.smallSizeMax, p.smallSizeMax],
    [g.largeSizeDiv, p.largeSizeDiv],
    [g.numSizeClasses, t.numSizeClasses],
    [g.pageShift, p.pageShift],
  ];
  if (p.goVersion === "1.19") return common;
  return [
    ["MinHeapAlign", p.minHeapAlign],
    ...common,
    ["MaxObjsPerSpan", t.maxObjsPerSpan],
    ["MaxSizeClassNPages", t.maxSizeClassNPages],
    ["TinySize", p.tinySize],
    ["TinySizeClass", t.tinySizeClass],
  ];
}

/**
 * Formats `v` as Go's `%.2f` does: the exact binary value rounded to two
 * decimals, ties to even (JavaScript's toFixed rounds ties up: 0.125 → "0.13",
 * Go → "0.12").
 */
export function formatGoFixed2(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "+Inf" : "-Inf";
  const neg = v < 0 || Object.is(v, -0);
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(v));
  const bits = dv.getBigUint64(0);
  const expField = Number((bits >> 52n) & 0x7ffn);
  const mant = expField === 0 ? bits & 0xfffffffffffffn : (bits & 0xfffffffffffffn) | (1n << 52n);
  const e = expField === 0 ? -1074 : expField - 1075;
  const num = e >= 0 ? (mant * 100n) << BigInt(e) : mant * 100n;
  const den = e >= 0 ? 1n : 1n << BigInt(-e);
  let q = num / den;
  const twice = 2n * (num % den);
  if (twice > den || (twice === den && (q & 1n) === 1n)) q += 1n;
  const digits = q.toString().padStart(3, "0");
  return `${neg ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

const pad = (v: number | string, w: number): string => String(v).padStart(w);
const padEnd = (v: string, w: number): string => v.padEnd(w);

/** Go's printComment: the class table and the alignment table, as `//` lines. */
function comment(t: SizeClassTable): string {
  const head = ["class", "bytes/obj", "bytes/span", "objects", "tail waste", "max waste", "min align"];
  const widths = [5, 9, 10, 7, 10, 9, 9];
  let out = `// ${head.map((h, i) => padEnd(h, widths[i]!)).join("  ")}\n`;
  for (const r of t.classes.slice(1)) {
    out +=
      `// ${pad(r.sizeclass, 5)}  ${pad(r.size, 9)}  ${pad(r.bytesPerSpan, 10)}  ${pad(r.objects, 7)}` +
      `  ${pad(r.tailWaste, 10)}  ${pad(formatGoFixed2(r.maxWaste), 8)}%  ${pad(r.minAlign, 9)}\n`;
  }
  out += `\n// ${padEnd("alignment", 9)}  ${padEnd("bits", 4)}  ${padEnd("min obj size", 12)}\n`;
  for (const a of t.minAligns) out += `// ${pad(a.alignment, 9)}  ${pad(a.bits, 4)}  ${pad(a.minObjSize, 12)}\n`;
  return `${out}\n`;
}

/**
 * The sizeclasses.go Go's generator writes for `t` (its `-stdout` output),
 * byte for byte. With Go's parameters this is the GOROOT file of that Go version.
 */
export function emitGo(t: SizeClassTable): string {
  const g = goNames(t.params.goVersion);
  const consts = goConstants(t);
  const w = Math.max(...consts.map(([name]) => name.length));
  const list = (a: readonly number[]) => a.join(", ");
  const magic = t.class_to_divmagic.map((_, c) => (c === 0 ? "0" : `^uint32(0)/${t.class_to_size[c]} + 1`));
  return (
    `// Code generated by mksizeclasses.go; DO NOT EDIT.\n//go:generate ${g.generate}\n\npackage ${g.package}\n\n` +
    comment(t) +
    `const (\n${consts.map(([name, v]) => `\t${padEnd(name, w)} = ${v}\n`).join("")})\n\n` +
    `var ${g.class_to_size} = [${g.numSizeClasses}]uint16{${list(t.class_to_size)}}\n` +
    `var ${g.class_to_allocnpages} = [${g.numSizeClasses}]uint8{${list(t.class_to_allocnpages)}}\n` +
    `var ${g.class_to_divmagic} = [${g.numSizeClasses}]uint32{${magic.join(", ")}}\n` +
    `var ${g.size_to_class8} = [${g.smallSizeMax}/${g.smallSizeDiv} + 1]uint8{${list(t.size_to_class8)}}\n` +
    `var ${g.size_to_class128} = [(${g.maxSmallSize}-${g.smallSizeMax})/${g.largeSizeDiv} + 1]uint8{${list(t.size_to_class128)}}\n`
  );
}
