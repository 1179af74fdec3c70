/**
 * The Go releases whose allocator constants this package computes. Each has
 * its own formula set, because Go renames and adds constants between releases
 * (Go 1.26 moved the size-class scalars to internal/runtime/gc and renamed the
 * stack sizes). See docs/design.md, "Layers".
 */
import { UnknownGoVersionError } from "./errors.js";

/** The Go releases with profiles, oldest first. */
export const goVersions = ["1.19", "1.26"] as const;

/** A Go release with profiles: `"1.19"` or `"1.26"`. */
export type GoVersion = (typeof goVersions)[number];

/** The Go patch releases whose sources the formulas were checked against. */
export const checkedGoReleases: Readonly<Record<GoVersion, string>> = Object.freeze({
  "1.19": "go1.19.8",
  "1.26": "go1.26.8",
});

/** True when `v` is exactly one of {@link goVersions}. */
export function isGoVersion(v: string): v is GoVersion {
  return v === "1.19" || v === "1.26";
}

/**
 * Reads a Go version as written by people and tools: `1.19`, `go1.19`,
 * `1.19.8`, `go1.26.8`, `go1.26rc1`. Throws {@link UnknownGoVersionError} for a
 * release without profiles or a string that is not a Go version.
 */
export function parseGoVersion(v: string): GoVersion {
  const m = /^(?:go)?1\.(\d+)(?:\.\d+|(?:rc|beta)\d+)?$/.exec(v.trim());
  const release = m ? `1.${m[1]}` : "";
  if (isGoVersion(release)) return release;
  throw new UnknownGoVersionError(v, goVersions);
}

/**
 * `v` itself when it is exactly one of {@link goVersions}, else
 * UnknownGoVersionError: the check of functions typed `GoVersion`, for
 * callers from JavaScript or with a cast string (no lookup by `v` then reads
 * `undefined` or an Object.prototype member).
 */
export function checkGoVersion(v: GoVersion): GoVersion {
  if (isGoVersion(v)) return v;
  throw new UnknownGoVersionError(String(v), goVersions);
}
