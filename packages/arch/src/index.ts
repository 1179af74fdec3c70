/**
 * @packageDocumentation
 * Go's GOOS/GOARCH allocator constant profiles, computed with Go's formulas.
 *
 * A profile holds every allocator constant of one Go version (1.19 or 1.26)
 * and one port from `go tool dist list`, named as Go names it, computed from
 * the port's inputs with that version's formulas. `@gomalloc/conformance`
 * checks each one against Go's own evaluation.
 *
 * @example
 * ```ts
 * import { getProfile, profileToJSON } from "@gomalloc/arch";
 * const p = getProfile("1.26", "linux", "amd64");
 * p._PageShift; // 13
 * p.heapArenaBytes; // 67108864
 * p.levelShift; // [34, 31, 28, 25, 22]
 * profileToJSON(p).arenaBaseOffset; // "18446603336221196288"
 * ```
 */
export type { ConstantInfo } from "./catalog.js";
export { constantCatalog, constantInfoOf, resolveConstantName } from "./catalog.js";
export type {
  CommonConstants,
  ConstantValue,
  Go119Constants,
  Go119OnlyConstants,
  Go126Constants,
  Go126OnlyConstants,
  RenamedConstants,
} from "./constants.js";
export { go126Aliases } from "./constants.js";
export type { ArchError } from "./errors.js";
export {
  ProfileInvariantError,
  UnknownConstantError,
  UnknownGoVersionError,
  UnknownPairError,
} from "./errors.js";
export type { GoarchConstants, GoarchFlags, GoarchInputs } from "./goarch.js";
export { goarchFlags, goarchInputs } from "./goarch.js";
export type { GoosFlags } from "./goos.js";
export { goosFlags, knownGoos } from "./goos.js";
export type { ProfileViolation } from "./invariants.js";
export { assertProfile, checkProfile } from "./invariants.js";
export type { JsonConstantValue, ProfileJSON } from "./json.js";
export {
  constantNames,
  constantToJSON,
  getConstant,
  profileEntries,
  profilesToJSON,
  profileToJSON,
} from "./json.js";
export { pageAlloc64BitArches } from "./mpagealloc.js";
export { hasPair, listPairs } from "./pairs.js";
export type { Profile, Profile119, Profile126, ProfileInfo, ProfileOf } from "./profile.js";
export { allProfiles, getProfile, getProfileByPair } from "./profile.js";
export type { GoVersion } from "./versions.js";
export { checkedGoReleases, goVersions, isGoVersion, parseGoVersion } from "./versions.js";
