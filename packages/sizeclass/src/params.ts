/**
 * The inputs of Go's size-class generator, per Go version. Go keeps them as
 * constants at the top of mksizeclasses.go (1.19) or in _mkmalloc/constants.go
 * (1.26); here they are plain numbers with each version's values as defaults,
 * so a porter can ask what the generator does with other ones. Validation only
 * bounds the domain this port handles exactly and quickly; what Go itself
 * refuses is refused later, by the generator, with Go's reason.
 * See docs/design.md, "Layers".
 */
import { SizeClassParamsError } from "./errors.js";

/** A Go release whose generator and output format this package reproduces. */
export type GoVersion = "1.19" | "1.26";

/** The Go versions supported, oldest first. */
export const goVersions: readonly GoVersion[] = Object.freeze(["1.19", "1.26"] as const);

/**
 * The Go version whose tables are this package's defaults. Go 1.19 and Go 1.26
 * generate the same tables (only the emitted file differs), so this only picks
 * the names and output format used by default.
 */
export const defaultGoVersion: GoVersion = "1.26";

/** The generator's parameters (Go's constant names in parentheses). */
export interface SizeClassParams {
  /** Whose generator and output format. */
  readonly goVersion: GoVersion;
  /** log2 of the runtime page size (`pageShift` / `_PageShift`). @defaultValue 13 */
  readonly pageShift: number;
  /** The largest small-object size (`maxSmallSize` / `_MaxSmallSize`). @defaultValue 32768 */
  readonly maxSmallSize: number;
  /** Granule of the fine size→class table (`smallSizeDiv`). @defaultValue 8 */
  readonly smallSizeDiv: number;
  /** Largest size the fine table covers (`smallSizeMax`). @defaultValue 1024 */
  readonly smallSizeMax: number;
  /** Granule of the coarse size→class table (`largeSizeDiv`). @defaultValue 128 */
  readonly largeSizeDiv: number;
  /** The first alignment step (`minHeapAlign` in 1.26; the literal `align := 8` in 1.19). @defaultValue 8 */
  readonly minHeapAlign: number;
  /** The tiny allocator's block size (`tinySize`; `_TinySize` in 1.19's malloc.go). @defaultValue 16 */
  readonly tinySize: number;
  /** Go 1.26 only: `smallScanNoHeaderMax`, the top of mkmalloc's size→class map. @defaultValue 512 */
  readonly smallScanNoHeaderMax: number;
  /**
   * Go's generator panics unless it makes exactly this many classes (its
   * `len(classes) != 68` check); `null` removes the check, which Go's source
   * would need edited for. @defaultValue 68
   */
  readonly expectNumSizeClasses: number | null;
}

const go119: SizeClassParams = Object.freeze({
  goVersion: "1.19",
  pageShift: 13,
  maxSmallSize: 32 << 10,
  smallSizeDiv: 8,
  smallSizeMax: 1024,
  largeSizeDiv: 128,
  minHeapAlign: 8,
  tinySize: 16,
  smallScanNoHeaderMax: 512,
  expectNumSizeClasses: 68,
});

const go126: SizeClassParams = Object.freeze({ ...go119, goVersion: "1.26" });

/** True when `v` names a supported Go version. */
export function isGoVersion(v: unknown): v is GoVersion {
  return v === "1.19" || v === "1.26";
}

/** Go's own parameters for `goVersion` (a frozen object). Throws SizeClassParamsError for an unknown version. */
export function defaultParams(goVersion: GoVersion = defaultGoVersion): SizeClassParams {
  if (!isGoVersion(goVersion))
    throw new SizeClassParamsError("goVersion", goVersion, `one of ${goVersions.join(", ")}`);
  return goVersion === "1.19" ? go119 : go126;
}

/** Inclusive bounds of each numeric parameter in this port. */
export const paramRanges: Readonly<Record<Exclude<keyof SizeClassParams, "goVersion">, readonly [number, number]>> =
  Object.freeze({
    pageShift: [0, 20],
    maxSmallSize: [0, 1 << 20],
    smallSizeDiv: [1, 1 << 16],
    smallSizeMax: [0, 1 << 20],
    largeSizeDiv: [1, 1 << 16],
    minHeapAlign: [1, 1 << 16],
    tinySize: [1, 1 << 16],
    smallScanNoHeaderMax: [0, 1 << 16],
    expectNumSizeClasses: [1, 1 << 16],
  });

/**
 * Fills `overrides` with the defaults of its `goVersion` (default
 * {@link defaultGoVersion}) and checks every value: integers within
 * {@link paramRanges}, and `maxSmallSize` at most 256 pages (the generator's
 * page search is linear in pages). Throws SizeClassParamsError.
 */
export function resolveParams(overrides: Partial<SizeClassParams> = {}): SizeClassParams {
  const base = defaultParams(overrides.goVersion ?? defaultGoVersion);
  const p: SizeClassParams = { ...base, ...stripUndefined(overrides) };
  for (const key of Object.keys(paramRanges) as (keyof typeof paramRanges)[]) {
    const v = p[key];
    if (key === "expectNumSizeClasses" && v === null) continue;
    const [lo, hi] = paramRanges[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
      throw new SizeClassParamsError(
        key,
        v,
        `an integer in [${lo}, ${hi}]${key === "expectNumSizeClasses" ? " or null" : ""}`,
      );
    }
  }
  if (p.maxSmallSize > 256 * 2 ** p.pageShift) {
    throw new SizeClassParamsError(
      "maxSmallSize",
      p.maxSmallSize,
      `at most 256 pages (${256 * 2 ** p.pageShift} bytes)`,
    );
  }
  return Object.freeze(p);
}

function stripUndefined(o: Partial<SizeClassParams>): Partial<SizeClassParams> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k !== "goVersion" && !(k in paramRanges)) throw new SizeClassParamsError(k, v, "not a generator parameter");
    if (v !== undefined) out[k] = v;
  }
  return out as Partial<SizeClassParams>;
}
