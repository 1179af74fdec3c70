/**
 * The JSON and readable-table emitters, and the JSON reader. The JSON names
 * constants and arrays with the Go identifiers of the table's Go version
 * (`class_to_size` in 1.19, `SizeClassToSize` in 1.26), and carries every
 * field of a SizeClassTable, so `tableFromJSON(emitJSON(t))` gives `t` back
 * (after checking every invariant). See docs/design.md, "Layers".
 */
import { formatGoFixed2, goConstants, goNames } from "./emitgo.js";
import { SizeClassTableError } from "./errors.js";
import type { SizeClassTable } from "./mksizeclasses.js";
import { isGoVersion, type SizeClassParams } from "./params.js";
import { checkSizeClassTable } from "./tablecheck.js";

/** The JSON document {@link emitJSON} writes, as a value. */
export interface SizeClassesJSON {
  /** The Go version whose names the document uses. */
  goVersion: string;
  /** The generator's parameters. */
  params: SizeClassParams;
  /** Go's const block: Go identifier → value. */
  constants: Record<string, number>;
  /** Go's five arrays under their Go identifiers. */
  tables: Record<string, number[]>;
  /** Comment-table rows, indexed by class. */
  classes: SizeClassTable["classes"];
  /** The alignment table. */
  minAligns: SizeClassTable["minAligns"];
}

/** `t` as the value {@link emitJSON} serialises. */
export function toJSON(t: SizeClassTable): SizeClassesJSON {
  const g = goNames(t.params.goVersion);
  return {
    goVersion: t.params.goVersion,
    params: t.params,
    constants: Object.fromEntries(goConstants(t)),
    tables: {
      [g.class_to_size]: [...t.class_to_size],
      [g.class_to_allocnpages]: [...t.class_to_allocnpages],
      [g.class_to_divmagic]: [...t.class_to_divmagic],
      [g.size_to_class8]: [...t.size_to_class8],
      [g.size_to_class128]: [...t.size_to_class128],
    },
    classes: t.classes,
    minAligns: t.minAligns,
  };
}

/** `t` as indented JSON, number arrays and flat records on one line each. */
export function emitJSON(t: SizeClassTable): string {
  return `${JSON.stringify(toJSON(t), null, 2)
    .replace(/\[\s+([-\d.e+,\s]+?)\s+\]/g, (_, inner: string) => `[${inner.split(/,\s*/).join(", ")}]`)
    .replace(/\{\s+("[^{}[\]]+?)\s+\}/g, (_, inner: string) => `{ ${inner.split(/,\s*\n\s*/).join(", ")} }`)}\n`;
}

/** JSON.parse, with text that is not JSON reported as the shape invariant SC0. */
function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SizeClassTableError("SC0", `the text is not JSON (${(e as Error).message})`);
  }
}

/**
 * Reads a document written by {@link emitJSON} (parsed or as text) back into
 * a table, and checks every invariant.
 *
 * @throws SizeClassTableError - the text is not JSON, a field is missing or the table breaks an invariant (ID `SC0` for shape).
 * @throws SizeClassParamsError - `params` are outside the supported domain.
 */
export function tableFromJSON(json: string | unknown): SizeClassTable {
  const doc = (typeof json === "string" ? parseJSON(json) : json) as Partial<SizeClassesJSON> | null;
  const params = doc?.params;
  if (!params || !isGoVersion(params.goVersion)) throw new SizeClassTableError("SC0", "params.goVersion is missing");
  const g = goNames(params.goVersion);
  const constants = doc.constants ?? {};
  const tables = doc.tables ?? {};
  const table: SizeClassTable = {
    params,
    numSizeClasses: constants[g.numSizeClasses] ?? tables[g.class_to_size]?.length ?? Number.NaN,
    class_to_size: tables[g.class_to_size] ?? [],
    class_to_allocnpages: tables[g.class_to_allocnpages] ?? [],
    class_to_divmagic: tables[g.class_to_divmagic] ?? [],
    size_to_class8: tables[g.size_to_class8] ?? [],
    size_to_class128: tables[g.size_to_class128] ?? [],
    classes: doc.classes ?? [],
    minAligns: doc.minAligns ?? [],
    maxObjsPerSpan: constants.MaxObjsPerSpan ?? (doc.classes ?? []).reduce((m, r) => Math.max(m, r.objects), 0),
    maxSizeClassNPages: constants.MaxSizeClassNPages ?? (doc.classes ?? []).reduce((m, r) => Math.max(m, r.npages), 0),
    tinySizeClass: constants.TinySizeClass ?? tinyClassOf(tables[g.class_to_size] ?? [], params.tinySize),
  };
  checkSizeClassTable(table);
  return table;
}

function tinyClassOf(sizes: readonly number[], tinySize: number): number {
  const c = sizes.findIndex((s) => s >= tinySize);
  return c < 0 ? sizes.length : c;
}

/** `t` as a readable text table: parameters, summary, one row per class, alignments. */
export function emitTable(t: SizeClassTable): string {
  const p = t.params;
  const cols: [string, number][] = [
    ["class", 5],
    ["bytes/obj", 9],
    ["bytes/span", 10],
    ["pages", 5],
    ["objects", 7],
    ["tail waste", 10],
    ["max waste", 9],
    ["min align", 9],
    ["divmagic", 10],
  ];
  const row = (cells: (string | number)[]) => `${cells.map((c, i) => String(c).padStart(cols[i]![1])).join("  ")}\n`;
  let out =
    `Go ${p.goVersion} size classes: pageShift ${p.pageShift}, maxSmallSize ${p.maxSmallSize}, ` +
    `smallSizeDiv ${p.smallSizeDiv}, smallSizeMax ${p.smallSizeMax}, largeSizeDiv ${p.largeSizeDiv}, ` +
    `minHeapAlign ${p.minHeapAlign}, tinySize ${p.tinySize}\n` +
    `${t.numSizeClasses} size classes (${t.numSizeClasses * 2} span classes), tiny size class ${t.tinySizeClass}, ` +
    `at most ${t.maxObjsPerSpan} objects and ${t.maxSizeClassNPages} pages per span\n\n` +
    row(cols.map(([h]) => h));
  for (const r of t.classes.slice(1)) {
    const waste = `${formatGoFixed2(r.maxWaste)}%`;
    out += row([
      r.sizeclass,
      r.size,
      r.bytesPerSpan,
      r.npages,
      r.objects,
      r.tailWaste,
      waste,
      r.minAlign,
      t.class_to_divmagic[r.sizeclass]!,
    ]);
  }
  out += "\nalignment  bits  min obj size\n";
  for (const a of t.minAligns)
    out += `${String(a.alignment).padStart(9)}  ${String(a.bits).padStart(4)}  ${String(a.minObjSize).padStart(12)}\n`;
  return out;
}
