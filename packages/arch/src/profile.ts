/**
 * Profiles: every allocator constant of one Go version × GOOS/GOARCH,
 * computed from the port's inputs (goos.ts, goarch.ts) with the formulas of
 * that version's Go files, in dependency order (size classes → malloc.go →
 * stack.go → mbitmap.go → mpagealloc → mheap.go → mgcscavenge.go). A profile
 * is a frozen plain object with one field per constant, computed on first
 * request and cached. See docs/design.md, "Layers".
 */
import type { Go119Constants, Go126Constants } from "./constants.js";
import type { FormulaEnv } from "./env.js";
import { UnknownPairError } from "./errors.js";
import { goarchConstants, goarchFlags, goarchInputs } from "./goarch.js";
import { goosFlags } from "./goos.js";
import { arenaBaseOffsetAdd, malloc119, malloc126 } from "./malloc.js";
import { mbitmap119, mbitmap126 } from "./mbitmap.js";
import { mgcscavenge, mgcscavenge126, type ScavengeInputs } from "./mgcscavenge.js";
import { mheap } from "./mheap.js";
import { mpagealloc } from "./mpagealloc.js";
import { hasPair, listPairs } from "./pairs.js";
import { sizeClasses119, sizeClasses126 } from "./sizeclasses.js";
import { stack119, stack126 } from "./stack.js";
import { type GoVersion, parseGoVersion } from "./versions.js";

/** The fields of a profile that are not Go constants. */
export interface ProfileInfo {
  /** The Go release the formulas come from. */
  readonly goVersion: GoVersion;
  readonly goos: string;
  readonly goarch: string;
  /** `goos/goarch`, the key in fixtures and JSON. */
  readonly pair: string;
  /**
   * `(2^64 − arenaBaseOffset) mod 2^64` as a number: add it to an address
   * before dividing by `heapArenaBytes` to get the arena index with plain
   * numbers, as Go's `arenaIndex` does with uintptr wrap-around. 2^47 on
   * amd64 (so user addresses below 2^47 map to indexes from 2^47 /
   * heapArenaBytes up), 0 on ports without an offset. On aix/ppc64 it is
   * 0xf600000000000000: exact as a double, but aix heap addresses
   * (0x0a00000000000000 and up) exceed 2^53, so model aix with addresses
   * relative to arenaBaseOffset instead.
   */
  readonly arenaBaseOffsetAdd: number;
}

/** Every constant of one Go 1.19 port. */
export interface Profile119 extends ProfileInfo, Go119Constants {
  readonly goVersion: "1.19";
}

/** Every constant of one Go 1.26 port; the Go 1.19 names of renamed constants are aliases. */
export interface Profile126 extends ProfileInfo, Go126Constants {
  readonly goVersion: "1.26";
}

/** A profile of either version; narrow on `goVersion` for the version-only constants. */
export type Profile = Profile119 | Profile126;

/** Maps a version to its profile type. */
export type ProfileOf<V extends GoVersion> = V extends "1.19" ? Profile119 : Profile126;

function envOf(version: GoVersion, goos: string, goarch: string): FormulaEnv {
  const inputs = goarchInputs(version, goarch);
  if (inputs === undefined) throw new UnknownPairError(version, goos, goarch, listPairs(version));
  const a = goarchFlags(goarch);
  return { version, o: goosFlags(goos), a, g: goarchConstants(inputs, a) };
}

function scavengeInputs(
  mh: { maxPhysPageSize: number },
  m: { pageSize: number },
  pa: { pallocChunkPages: number; logPallocChunkPages: number },
): ScavengeInputs {
  return {
    maxPhysPageSize: mh.maxPhysPageSize,
    pageSize: m.pageSize,
    pallocChunkPages: pa.pallocChunkPages,
    logPallocChunkPages: pa.logPallocChunkPages,
  };
}

function compute119(goos: string, goarch: string): Profile119 {
  const env = envOf("1.19", goos, goarch);
  const sc = sizeClasses119();
  const m = malloc119(env, {
    pageShift: sc._PageShift,
    tinySize: 16,
    tinySizeClass: 2,
    maxSmallSize: sc._MaxSmallSize,
  });
  const pa = mpagealloc(env, { heapAddrBits: m.heapAddrBits, pageSize: m.pageSize, pageShift: m.pageShift });
  const mh = mheap(env, {
    pallocChunkBytes: pa.pallocChunkBytes,
    pagesPerArena: m.pagesPerArena,
    numSizeClasses: sc._NumSizeClasses,
    tinySizeClass: m.tinySizeClass,
  });
  const scav = scavengeInputs(mh, m, pa);
  return Object.freeze({
    goVersion: "1.19",
    goos,
    goarch,
    pair: `${goos}/${goarch}`,
    arenaBaseOffsetAdd: arenaBaseOffsetAdd(m.arenaBaseOffset),
    ...env.g,
    ...sc,
    ...m,
    ...stack119(env),
    ...mbitmap119(),
    ...mh,
    ...pa,
    ...mgcscavenge(env, scav),
  });
}

function compute126(goos: string, goarch: string): Profile126 {
  const env = envOf("1.26", goos, goarch);
  const gc = sizeClasses126(env);
  const m = malloc126(
    env,
    { pageShift: gc.PageShift, tinySize: gc.TinySize, tinySizeClass: gc.TinySizeClass, maxSmallSize: gc.MaxSmallSize },
    gc,
  );
  const st = stack126(env);
  const pa = mpagealloc(env, { heapAddrBits: m.heapAddrBits, pageSize: m.pageSize, pageShift: gc.PageShift });
  const mh = mheap(env, {
    pallocChunkBytes: pa.pallocChunkBytes,
    pagesPerArena: m.pagesPerArena,
    numSizeClasses: gc.NumSizeClasses,
    tinySizeClass: m.tinySizeClass,
  });
  const scav = scavengeInputs(mh, m, pa);
  return Object.freeze({
    goVersion: "1.26",
    goos,
    goarch,
    pair: `${goos}/${goarch}`,
    arenaBaseOffsetAdd: arenaBaseOffsetAdd(m.arenaBaseOffset),
    ...env.g,
    PtrBits: env.g.PtrSize * 8,
    ...gc,
    ...m,
    ...st,
    ...mbitmap126(env),
    ...mh,
    ...pa,
    ...mgcscavenge(env, scav),
    ...mgcscavenge126(scav),
    // Go 1.19 names of constants Go 1.26 renamed.
    _MaxSmallSize: gc.MaxSmallSize,
    smallSizeDiv: gc.SmallSizeDiv,
    smallSizeMax: gc.SmallSizeMax,
    largeSizeDiv: gc.LargeSizeDiv,
    _NumSizeClasses: gc.NumSizeClasses,
    _PageShift: gc.PageShift,
    _StackSystem: st.stackSystem,
    _StackMin: st.stackMin,
    _FixedStack: st.fixedStack,
  });
}

const cache = new Map<string, Profile>();

/**
 * The profile of `goos/goarch` in Go `version` (any form {@link parseGoVersion}
 * accepts). Computed on first use, then cached; the object is frozen.
 * Throws UnknownGoVersionError or UnknownPairError (for a pair that
 * `go tool dist list` of that version does not print).
 *
 * @example
 * ```ts
 * const p = getProfile("1.26", "linux", "amd64");
 * p.heapArenaBytes; // 67108864
 * p.arenaBaseOffset; // 18446603336221196288n
 * ```
 */
export function getProfile<V extends GoVersion>(version: V, goos: string, goarch: string): ProfileOf<V>;
export function getProfile(version: string, goos: string, goarch: string): Profile;
export function getProfile(version: string, goos: string, goarch: string): Profile {
  const v = parseGoVersion(version);
  const key = `${v} ${goos}/${goarch}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  if (!hasPair(v, goos, goarch)) throw new UnknownPairError(v, goos, goarch, listPairs(v));
  const p = v === "1.19" ? compute119(goos, goarch) : compute126(goos, goarch);
  cache.set(key, p);
  return p;
}

/** Like {@link getProfile} with a `goos/goarch` string. */
export function getProfileByPair<V extends GoVersion>(version: V, pair: string): ProfileOf<V>;
export function getProfileByPair(version: string, pair: string): Profile;
export function getProfileByPair(version: string, pair: string): Profile {
  const slash = pair.indexOf("/");
  if (slash < 0) {
    const v = parseGoVersion(version);
    throw new UnknownPairError(v, pair, "", listPairs(v));
  }
  return getProfile(version, pair.slice(0, slash), pair.slice(slash + 1));
}

/** The profiles of every pair of a version, in `go tool dist list` order. */
export function allProfiles<V extends GoVersion>(version: V): readonly ProfileOf<V>[];
export function allProfiles(version: string): readonly Profile[];
export function allProfiles(version: string): readonly Profile[] {
  const v = parseGoVersion(version);
  return listPairs(v).map((pair) => getProfileByPair(v, pair));
}
