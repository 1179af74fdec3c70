/**
 * The checks: `@gomalloc/arch`'s profiles against Go's values for a version
 * ({@link checkArch}), and a third party's dump in the fixture format against
 * the same values ({@link checkDump}). Both return a {@link ConformanceReport}:
 * per pair the constants compared and every difference, plus the size-class
 * tables when the dump has them. Go's values come from the checked-in
 * fixtures unless the caller passes freshly extracted ones. See
 * docs/design.md, "Layers".
 */
import { type GoVersion, parseGoVersion, profilesToJSON } from "@gomalloc/arch";
import { mksizeclasses, toJSON } from "@gomalloc/sizeclass";
import { compareConstants, compareSizeClasses, type PairResult, type TableIssue } from "./compare.js";
import { DumpFormatError } from "./errors.js";
import {
  type ConstantsFixture,
  type FixtureValue,
  type GoFixtures,
  loadFixtures,
  parseConstants,
  parseSizeClasses,
} from "./fixtures.js";

/** The size-class part of a report. */
export interface SizeClassResult {
  /** Scalars and table entries compared. */
  readonly checked: number;
  readonly issues: readonly TableIssue[];
  readonly ok: boolean;
}

/** The outcome of one check. */
export interface ConformanceReport {
  /** The Go release checked against. */
  readonly goVersion: GoVersion;
  /** Where Go's values came from, e.g. `fixtures (go1.26.8)` or `live go1.26.8 (/usr/local/go)`. */
  readonly source: string;
  /** Per pair, in `go tool dist list` order. */
  readonly pairs: readonly PairResult[];
  /** Present when size-class data was checked. */
  readonly sizeclasses?: SizeClassResult;
  /** Constants and table entries compared. */
  readonly checked: number;
  /** Number of differences. */
  readonly failed: number;
  readonly ok: boolean;
}

/** Where to take Go's values from, instead of the checked-in fixtures. */
export interface CheckOptions {
  /** Go's values (e.g. from {@link runExtractor}); default: the checked-in fixtures of the version. */
  readonly against?: GoFixtures;
  /** How the report names that source; default derived from `against`. */
  readonly source?: string;
}

/** A third party's dump: constants and/or size-class data in the fixture format. */
export interface GoDump {
  /** Optional; when present it must name the same release as the check. */
  readonly goVersion?: string;
  /** `goos/goarch` → Go identifier → value (constants.json's format). */
  readonly constants?: ConstantsFixture;
  /** sizeclasses.json's format: `constants` and/or `tables`, Go's names for the version. */
  readonly sizeclasses?: {
    readonly constants?: Readonly<Record<string, FixtureValue>>;
    readonly tables?: Readonly<Record<string, readonly number[]>>;
  };
}

/** Options of {@link checkDump}. */
export interface DumpCheckOptions extends CheckOptions {
  /** Fail on pairs, constants and tables Go has that the dump lacks (default false: a partial dump is fine). */
  readonly requireComplete?: boolean;
}

function report(
  version: GoVersion,
  source: string,
  pairs: PairResult[],
  sizeclasses: SizeClassResult | undefined,
): ConformanceReport {
  let checked = sizeclasses?.checked ?? 0;
  let failed = sizeclasses?.issues.length ?? 0;
  for (const p of pairs) {
    checked += p.checked;
    failed += p.issues.length;
  }
  const base = { goVersion: version, source, pairs, checked, failed, ok: failed === 0 };
  return Object.freeze(sizeclasses === undefined ? base : { ...base, sizeclasses });
}

function goValues(version: GoVersion, options: CheckOptions): { fx: GoFixtures; source: string } {
  const fx = options.against ?? loadFixtures(version);
  if (parseGoVersion(fx.release) !== version) {
    throw new DumpFormatError("$.goVersion", `Go's values are for ${fx.goVersion}, not Go ${version}`);
  }
  return {
    fx,
    source: options.source ?? (options.against ? `extracted ${fx.goVersion}` : `fixtures (${fx.goVersion})`),
  };
}

/**
 * Checks every profile of `@gomalloc/arch` for `version` against Go's values:
 * every pair, every constant, both ways (a constant or pair on one side only
 * is a failure).
 *
 * @example
 * ```ts
 * const r = checkArch("1.26");
 * r.ok; // true
 * r.pairs[0]; // { pair: "aix/ppc64", checked: 98, issues: [], ok: true }
 * ```
 */
export function checkArch(version: GoVersion | string, options: CheckOptions = {}): ConformanceReport {
  const v = parseGoVersion(version);
  const { fx, source } = goValues(v, options);
  const pairs = compareConstants(`go${v}`, fx.constants, profilesToJSON(v), true);
  return report(v, source, pairs, checkSizeClasses(v, options));
}

/**
 * Checks `@gomalloc/sizeclass`'s generator, run with Go's parameters for
 * `version`, against Go's size-class scalars and tables, entry by entry
 * (everything Go has must be there).
 *
 * @example
 * ```ts
 * checkSizeClasses("1.19").ok; // true
 * ```
 */
export function checkSizeClasses(version: GoVersion | string, options: CheckOptions = {}): SizeClassResult {
  const v = parseGoVersion(version);
  const { fx } = goValues(v, options);
  const ours = toJSON(mksizeclasses({ goVersion: v }));
  const r = compareSizeClasses(`go${v} sizeclass`, fx.sizeclasses, ours, true);
  return { checked: r.checked, issues: r.issues, ok: r.issues.length === 0 };
}

/**
 * Reads a dump: `{goVersion?, constants?, sizeclasses?}`, or a bare
 * constants map (every key `goos/goarch`), or a bare sizeclasses.json
 * (with `tables`). Throws DumpFormatError naming the bad part.
 */
export function parseDump(json: unknown): GoDump {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new DumpFormatError("$", "a dump is a JSON object");
  }
  const obj = json as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length > 0 && keys.every((k) => k.includes("/"))) return { constants: parseConstants(obj) };
  if (Object.hasOwn(obj, "tables") && !Object.hasOwn(obj, "sizeclasses")) {
    const sc = parseSizeClasses(obj);
    const goVersion = typeof obj.goVersion === "string" ? obj.goVersion : undefined;
    return goVersion === undefined ? { sizeclasses: sc } : { goVersion, sizeclasses: sc };
  }
  const known = new Set(["goVersion", "constants", "sizeclasses"]);
  for (const k of keys) {
    if (!known.has(k)) throw new DumpFormatError(`$.${k}`, "unknown key (expected goVersion, constants, sizeclasses)");
  }
  if (obj.goVersion !== undefined && typeof obj.goVersion !== "string") {
    throw new DumpFormatError("$.goVersion", "expected a string such as go1.26.8");
  }
  if (obj.constants === undefined && obj.sizeclasses === undefined) {
    throw new DumpFormatError("$", "the dump has neither constants nor sizeclasses");
  }
  return {
    ...(obj.goVersion === undefined ? {} : { goVersion: obj.goVersion as string }),
    ...(obj.constants === undefined ? {} : { constants: parseConstants(obj.constants, "$.constants") }),
    ...(obj.sizeclasses === undefined ? {} : { sizeclasses: parseSizeClasses(obj.sizeclasses, "$.sizeclasses") }),
  };
}

/**
 * Checks a third party's dump (a parsed {@link GoDump} or raw JSON, see
 * {@link parseDump}) against Go's values for `version`. Only what the dump
 * contains is compared unless `requireComplete` is set; constants, pairs or
 * tables Go does not have are always failures.
 *
 * @example
 * ```ts
 * const r = checkDump("1.19", { constants: { "linux/amd64": { heapAddrBits: 48, _PageShift: 13 } } });
 * r.ok; // true
 * ```
 */
export function checkDump(
  version: GoVersion | string,
  dump: GoDump | unknown,
  options: DumpCheckOptions = {},
): ConformanceReport {
  const v = parseGoVersion(version);
  const d = parseDump(dump);
  if (d.goVersion !== undefined) {
    let dv: GoVersion;
    try {
      dv = parseGoVersion(d.goVersion);
    } catch {
      throw new DumpFormatError("$.goVersion", `${JSON.stringify(d.goVersion)} is not a Go version with fixtures`);
    }
    if (dv !== v) throw new DumpFormatError("$.goVersion", `the dump is for Go ${dv}, the check for Go ${v}`);
  }
  const { fx, source } = goValues(v, options);
  const complete = options.requireComplete === true;
  const pairs = d.constants === undefined ? [] : compareConstants(`go${v}`, fx.constants, d.constants, complete);
  let sizeclasses: SizeClassResult | undefined;
  if (d.sizeclasses !== undefined || complete) {
    const r = compareSizeClasses(`go${v}`, fx.sizeclasses, d.sizeclasses ?? {}, complete);
    sizeclasses = { checked: r.checked, issues: r.issues, ok: r.issues.length === 0 };
  }
  if (complete && d.constants === undefined) {
    pairs.push(...compareConstants(`go${v}`, fx.constants, {}, true));
  }
  return report(v, source, pairs, sizeclasses);
}

/** Checks REPORT-1…REPORT-3 (see the README) on a report; returns what does not hold. */
export function reportViolations(r: ConformanceReport): string[] {
  const out: string[] = [];
  let issues = r.sizeclasses?.issues.length ?? 0;
  let checked = r.sizeclasses?.checked ?? 0;
  for (const p of r.pairs) {
    issues += p.issues.length;
    checked += p.checked;
    if (p.ok !== (p.issues.length === 0)) out.push(`REPORT-1: ${p.pair} ok=${p.ok} with ${p.issues.length} issues`);
  }
  if (r.sizeclasses !== undefined && r.sizeclasses.ok !== (r.sizeclasses.issues.length === 0)) {
    out.push("REPORT-1: size classes ok disagrees with their issues");
  }
  if (r.ok !== (r.failed === 0)) out.push(`REPORT-1: ok=${r.ok} with failed=${r.failed}`);
  if (r.failed !== issues) out.push(`REPORT-2: failed=${r.failed}, issues=${issues}`);
  if (r.checked !== checked) out.push(`REPORT-3: checked=${r.checked}, sum=${checked}`);
  return out;
}
