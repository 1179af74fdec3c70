/**
 * The GOOS/GOARCH pairs of each Go release: what `go tool dist list` prints,
 * which is the key set of cmd/dist's `cgoEnabled` map minus the ports marked
 * `incomplete` (Go 1.19) or `broken` (Go 1.26). Go 1.26 added openbsd/ppc64,
 * openbsd/riscv64 and wasip1/wasm, and dropped openbsd/mips64 (broken) and
 * windows/arm. See docs/design.md, "Layers".
 */
import { checkGoVersion, type GoVersion, parseGoVersion } from "./versions.js";

const go119Pairs = [
  "aix/ppc64",
  "android/386",
  "android/amd64",
  "android/arm",
  "android/arm64",
  "darwin/amd64",
  "darwin/arm64",
  "dragonfly/amd64",
  "freebsd/386",
  "freebsd/amd64",
  "freebsd/arm",
  "freebsd/arm64",
  "illumos/amd64",
  "ios/amd64",
  "ios/arm64",
  "js/wasm",
  "linux/386",
  "linux/amd64",
  "linux/arm",
  "linux/arm64",
  "linux/loong64",
  "linux/mips",
  "linux/mips64",
  "linux/mips64le",
  "linux/mipsle",
  "linux/ppc64",
  "linux/ppc64le",
  "linux/riscv64",
  "linux/s390x",
  "netbsd/386",
  "netbsd/amd64",
  "netbsd/arm",
  "netbsd/arm64",
  "openbsd/386",
  "openbsd/amd64",
  "openbsd/arm",
  "openbsd/arm64",
  "openbsd/mips64",
  "plan9/386",
  "plan9/amd64",
  "plan9/arm",
  "solaris/amd64",
  "windows/386",
  "windows/amd64",
  "windows/arm",
  "windows/arm64",
] as const;

const go126Pairs = [
  "aix/ppc64",
  "android/386",
  "android/amd64",
  "android/arm",
  "android/arm64",
  "darwin/amd64",
  "darwin/arm64",
  "dragonfly/amd64",
  "freebsd/386",
  "freebsd/amd64",
  "freebsd/arm",
  "freebsd/arm64",
  "illumos/amd64",
  "ios/amd64",
  "ios/arm64",
  "js/wasm",
  "linux/386",
  "linux/amd64",
  "linux/arm",
  "linux/arm64",
  "linux/loong64",
  "linux/mips",
  "linux/mips64",
  "linux/mips64le",
  "linux/mipsle",
  "linux/ppc64",
  "linux/ppc64le",
  "linux/riscv64",
  "linux/s390x",
  "netbsd/386",
  "netbsd/amd64",
  "netbsd/arm",
  "netbsd/arm64",
  "openbsd/386",
  "openbsd/amd64",
  "openbsd/arm",
  "openbsd/arm64",
  "openbsd/ppc64",
  "openbsd/riscv64",
  "plan9/386",
  "plan9/amd64",
  "plan9/arm",
  "solaris/amd64",
  "wasip1/wasm",
  "windows/386",
  "windows/amd64",
  "windows/arm64",
] as const;

const pairsByVersion: Readonly<Record<GoVersion, readonly string[]>> = Object.freeze({
  "1.19": Object.freeze([...go119Pairs]),
  "1.26": Object.freeze([...go126Pairs]),
});

const pairSets: Readonly<Record<GoVersion, ReadonlySet<string>>> = {
  "1.19": new Set(go119Pairs),
  "1.26": new Set(go126Pairs),
};

/**
 * The `goos/goarch` pairs of a Go version, sorted as `go tool dist list`
 * prints them. Accepts the version forms of {@link parseGoVersion}; throws
 * UnknownGoVersionError for others.
 */
export function listPairs(version: GoVersion | string): readonly string[] {
  return pairsByVersion[parseGoVersion(version)];
}

/** True when `goos/goarch` is a port of the (already parsed) Go version; UnknownGoVersionError for another version. */
export function hasPair(version: GoVersion, goos: string, goarch: string): boolean {
  return pairSets[checkGoVersion(version)].has(`${goos}/${goarch}`);
}
