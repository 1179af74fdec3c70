/**
 * internal/goos: the per-GOOS 0/1 flags (`IsWindows`, `IsPlan9`...) that Go's
 * constant formulas multiply by, as generated into zgoos_$GOOS.go. Exactly one
 * flag is 1 per GOOS: android is not linux and ios is not darwin here, as in
 * Go's generated files. See docs/design.md, "Layers".
 */

/** Every GOOS that internal/goos knows (zgoos_*.go), in Go's order. */
export const knownGoos = [
  "aix",
  "android",
  "darwin",
  "dragonfly",
  "freebsd",
  "hurd",
  "illumos",
  "ios",
  "js",
  "linux",
  "nacl",
  "netbsd",
  "openbsd",
  "plan9",
  "solaris",
  "wasip1",
  "windows",
  "zos",
] as const;

/** The 0/1 flags of internal/goos for one GOOS (Go's names). */
export interface GoosFlags {
  readonly GOOS: string;
  readonly IsAix: 0 | 1;
  readonly IsAndroid: 0 | 1;
  readonly IsDarwin: 0 | 1;
  readonly IsDragonfly: 0 | 1;
  readonly IsFreebsd: 0 | 1;
  readonly IsHurd: 0 | 1;
  readonly IsIllumos: 0 | 1;
  readonly IsIos: 0 | 1;
  readonly IsJs: 0 | 1;
  readonly IsLinux: 0 | 1;
  readonly IsNacl: 0 | 1;
  readonly IsNetbsd: 0 | 1;
  readonly IsOpenbsd: 0 | 1;
  readonly IsPlan9: 0 | 1;
  readonly IsSolaris: 0 | 1;
  readonly IsWasip1: 0 | 1;
  readonly IsWindows: 0 | 1;
  readonly IsZos: 0 | 1;
}

const flag = (goos: string, name: string): 0 | 1 => (goos === name ? 1 : 0);

/** The internal/goos flags of `goos` (all 0 for a GOOS Go does not know). */
export function goosFlags(goos: string): GoosFlags {
  return {
    GOOS: goos,
    IsAix: flag(goos, "aix"),
    IsAndroid: flag(goos, "android"),
    IsDarwin: flag(goos, "darwin"),
    IsDragonfly: flag(goos, "dragonfly"),
    IsFreebsd: flag(goos, "freebsd"),
    IsHurd: flag(goos, "hurd"),
    IsIllumos: flag(goos, "illumos"),
    IsIos: flag(goos, "ios"),
    IsJs: flag(goos, "js"),
    IsLinux: flag(goos, "linux"),
    IsNacl: flag(goos, "nacl"),
    IsNetbsd: flag(goos, "netbsd"),
    IsOpenbsd: flag(goos, "openbsd"),
    IsPlan9: flag(goos, "plan9"),
    IsSolaris: flag(goos, "solaris"),
    IsWasip1: flag(goos, "wasip1"),
    IsWindows: flag(goos, "windows"),
    IsZos: flag(goos, "zos"),
  };
}
