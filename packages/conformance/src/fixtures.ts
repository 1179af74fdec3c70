/**
 * The fixtures Go itself produced (packages/conformance/fixtures/go1.N, written
 * by the extractor in extract/): constants.json (pair → Go identifier →
 * value), sizeclasses.json (the scalars and tables of Go's generated
 * sizeclasses.go) and meta.json (Go version, pairs, where each constant is
 * declared). This module reads and validates that format, for the checked-in
 * fixtures and for third-party dumps alike. See docs/design.md, "Layers".
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type GoVersion, parseGoVersion } from "@gomalloc/arch";
import { DumpFormatError } from "./errors.js";

/** A constant's value in a fixture: integers beyond 2^53 are decimal strings. */
export type FixtureValue = number | string | boolean | readonly number[];

/** One pair's constants: Go identifier → value. */
export type PairConstants = Readonly<Record<string, FixtureValue>>;

/** constants.json: `goos/goarch` → Go identifier → value. */
export type ConstantsFixture = Readonly<Record<string, PairConstants>>;

/** sizeclasses.json: Go's generated size-class file, evaluated. */
export interface SizeClassFixture {
  /** e.g. `go1.26.8`. */
  readonly goVersion: string;
  /** `runtime` (1.19) or `internal/runtime/gc` (1.26). */
  readonly package: string;
  /** The file under GOROOT/src. */
  readonly file: string;
  /** Every constant of the file (`_MaxSmallSize`… in 1.19, `MaxSmallSize`… in 1.26). */
  readonly constants: Readonly<Record<string, FixtureValue>>;
  /** Every table of the file by Go's name (`class_to_size`… in 1.19, `SizeClassToSize`… in 1.26). */
  readonly tables: Readonly<Record<string, readonly number[]>>;
}

/** One constant's entry in meta.json. */
export interface FixtureConstantMeta {
  readonly package: string;
  /** Declaring files under GOROOT/src (two when it depends on the port). */
  readonly files: readonly string[];
  /** Go types seen (`untyped int`, `uintptr`, `spanClass`…). */
  readonly types: readonly string[];
  /** Number of pairs declaring it. */
  readonly pairs: number;
}

/** meta.json. */
export interface FixtureMeta {
  readonly goVersion: string;
  readonly release: string;
  readonly regenerate: string;
  readonly pairs: readonly string[];
  readonly constants: Readonly<Record<string, FixtureConstantMeta>>;
}

/** Everything extracted for one Go version. */
export interface GoFixtures {
  /** The release, `1.19` or `1.26`. */
  readonly release: string;
  /** The exact Go version the fixtures came from, e.g. `go1.26.8`. */
  readonly goVersion: string;
  readonly constants: ConstantsFixture;
  readonly sizeclasses: SizeClassFixture;
  readonly meta: FixtureMeta;
}

/** Directory of the checked-in fixtures (one `go1.N` subdirectory per version). */
export const fixturesDir: string = fileURLToPath(new URL("../fixtures/", import.meta.url));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates one fixture value. */
export function parseFixtureValue(v: unknown, path: string): FixtureValue {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new DumpFormatError(path, "not a finite number");
    return v;
  }
  if (typeof v === "string") {
    if (!/^-?\d+$/.test(v)) throw new DumpFormatError(path, `string ${JSON.stringify(v)} is not a decimal integer`);
    return v;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      if (typeof x !== "number" || !Number.isFinite(x)) throw new DumpFormatError(`${path}[${i}]`, "not a number");
    });
    return Object.freeze([...v]) as readonly number[];
  }
  throw new DumpFormatError(path, "expected a number, a decimal string, a boolean or an array of numbers");
}

function parseNameValues(v: unknown, path: string): Record<string, FixtureValue> {
  if (!isRecord(v)) throw new DumpFormatError(path, "expected an object of constants");
  const out: Record<string, FixtureValue> = {};
  for (const [name, value] of Object.entries(v)) out[name] = parseFixtureValue(value, `${path}.${name}`);
  return out;
}

/** Validates a constants map: `{"goos/goarch": {"name": value, ...}, ...}`. */
export function parseConstants(v: unknown, path = "$"): ConstantsFixture {
  if (!isRecord(v)) throw new DumpFormatError(path, 'expected an object keyed by "goos/goarch"');
  const out: Record<string, PairConstants> = {};
  for (const [pair, consts] of Object.entries(v)) {
    const p = `${path}[${JSON.stringify(pair)}]`;
    if (!/^[^/\s]+\/[^/\s]+$/.test(pair)) throw new DumpFormatError(p, 'keys must be "goos/goarch"');
    out[pair] = Object.freeze(parseNameValues(consts, p));
  }
  return Object.freeze(out);
}

/** Validates size-class data: `{"constants": {...}, "tables": {"name": [..]}}` (either part may be absent in a dump). */
export function parseSizeClasses(
  v: unknown,
  path = "$",
): { constants: Record<string, FixtureValue>; tables: Record<string, readonly number[]> } & Record<string, unknown> {
  if (!isRecord(v)) throw new DumpFormatError(path, "expected an object with constants and/or tables");
  const constants = v.constants === undefined ? {} : parseNameValues(v.constants, `${path}.constants`);
  const tables: Record<string, readonly number[]> = {};
  if (v.tables !== undefined) {
    if (!isRecord(v.tables)) throw new DumpFormatError(`${path}.tables`, "expected an object of tables");
    for (const [name, t] of Object.entries(v.tables)) {
      const p = `${path}.tables.${name}`;
      if (!Array.isArray(t)) throw new DumpFormatError(p, "expected an array of numbers");
      tables[name] = parseFixtureValue(t, p) as readonly number[];
    }
  }
  return { ...v, constants, tables };
}

function readJSON(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** Reads and validates the three fixture files in `dir` (a `go1.N` directory). */
export function readFixtureDir(dir: string): GoFixtures {
  const meta = readJSON(`${dir}/meta.json`) as FixtureMeta;
  if (!isRecord(meta) || typeof meta.goVersion !== "string" || !Array.isArray(meta.pairs)) {
    throw new DumpFormatError(`${dir}/meta.json`, "not an extractor meta file");
  }
  const constants = parseConstants(readJSON(`${dir}/constants.json`), `${dir}/constants.json`);
  const sc = parseSizeClasses(readJSON(`${dir}/sizeclasses.json`), `${dir}/sizeclasses.json`);
  const sizeclasses: SizeClassFixture = Object.freeze({
    goVersion: String(sc.goVersion),
    package: String(sc.package),
    file: String(sc.file),
    constants: Object.freeze(sc.constants),
    tables: Object.freeze(sc.tables),
  });
  return Object.freeze({ release: meta.release, goVersion: meta.goVersion, constants, sizeclasses, meta });
}

const cache = new Map<GoVersion, GoFixtures>();

/** The checked-in fixtures of a Go version (any form `parseGoVersion` accepts), read once. */
export function loadFixtures(version: GoVersion | string): GoFixtures {
  const v = parseGoVersion(version);
  let f = cache.get(v);
  if (f === undefined) {
    f = readFixtureDir(`${fixturesDir}go${v}`);
    cache.set(v, f);
  }
  return f;
}

/** The five size-class tables under version-independent names. */
export interface SizeClassTables {
  readonly classToSize: readonly number[];
  readonly classToAllocNPages: readonly number[];
  readonly classToDivMagic: readonly number[];
  readonly sizeToClass8: readonly number[];
  readonly sizeToClass128: readonly number[];
}

/** Go's name of each size-class table per version (they were renamed and exported in Go 1.26). */
export const sizeClassTableNames: Readonly<Record<GoVersion, Readonly<Record<keyof SizeClassTables, string>>>> =
  Object.freeze({
    "1.19": Object.freeze({
      classToSize: "class_to_size",
      classToAllocNPages: "class_to_allocnpages",
      classToDivMagic: "class_to_divmagic",
      sizeToClass8: "size_to_class8",
      sizeToClass128: "size_to_class128",
    }),
    "1.26": Object.freeze({
      classToSize: "SizeClassToSize",
      classToAllocNPages: "SizeClassToNPages",
      classToDivMagic: "SizeClassToDivMagic",
      sizeToClass8: "SizeToSizeClass8",
      sizeToClass128: "SizeToSizeClass128",
    }),
  });

/** The tables of a version's size-class fixture under version-independent names. */
export function sizeClassTables(version: GoVersion | string, fixture?: SizeClassFixture): SizeClassTables {
  const v = parseGoVersion(version);
  const f = fixture ?? loadFixtures(v).sizeclasses;
  const names = sizeClassTableNames[v];
  const get = (key: keyof SizeClassTables): readonly number[] => {
    const t = f.tables[names[key]];
    if (t === undefined) throw new DumpFormatError(`$.tables.${names[key]}`, "missing size-class table");
    return t;
  };
  return Object.freeze({
    classToSize: get("classToSize"),
    classToAllocNPages: get("classToAllocNPages"),
    classToDivMagic: get("classToDivMagic"),
    sizeToClass8: get("sizeToClass8"),
    sizeToClass128: get("sizeToClass128"),
  });
}
