/**
 * Generic access to a profile: name → value lookups (Go 1.19 names resolve
 * on Go 1.26 profiles), the ordered list of entries, and the JSON form used
 * by fixtures and the CLI: Go's bare identifiers as keys, integers up to 2^53
 * as JSON numbers and beyond as decimal strings, booleans as booleans,
 * arrays as arrays. See docs/design.md, "Layers".
 */
import { constantNamesOf, resolveConstantName } from "./catalog.js";
import type { ConstantValue } from "./constants.js";
import { UnknownConstantError } from "./errors.js";
import type { Profile } from "./profile.js";
import { allProfiles } from "./profile.js";
import { type GoVersion, parseGoVersion } from "./versions.js";

/** A constant's value in JSON: bigints become decimal strings. */
export type JsonConstantValue = number | string | boolean | readonly number[];

/** One profile in JSON form: Go identifier → value, in fixture order. */
export type ProfileJSON = Record<string, JsonConstantValue>;

/** Go's identifiers of every constant of a version (any accepted version form), in fixture order. */
export function constantNames(version: GoVersion | string): readonly string[] {
  return constantNamesOf(parseGoVersion(version));
}

/**
 * The value of constant `name` in `profile`. Go 1.19 names of constants that
 * Go 1.26 renamed work on 1.26 profiles too. Throws UnknownConstantError for a
 * name the profile's version does not declare.
 */
export function getConstant(profile: Profile, name: string): ConstantValue {
  const goName = resolveConstantName(profile.goVersion, name);
  if (goName === undefined) throw new UnknownConstantError(profile.goVersion, name);
  return (profile as unknown as Record<string, ConstantValue>)[goName] as ConstantValue;
}

/** Every constant of a profile as `[name, value]`, in fixture order (Go identifiers only, no aliases). */
export function profileEntries(profile: Profile): [name: string, value: ConstantValue][] {
  const rec = profile as unknown as Record<string, ConstantValue>;
  return constantNamesOf(profile.goVersion).map((n) => [n, rec[n] as ConstantValue]);
}

/** A value as JSON: a bigint as its decimal string, arrays copied. */
export function constantToJSON(v: ConstantValue): JsonConstantValue {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return [...v];
  return v as number | boolean;
}

/** A profile in the fixture's JSON form (`{"heapAddrBits": 48, "arenaBaseOffset": "18446603336221196288", ...}`). */
export function profileToJSON(profile: Profile): ProfileJSON {
  const out: ProfileJSON = {};
  for (const [name, v] of profileEntries(profile)) out[name] = constantToJSON(v);
  return out;
}

/** Every profile of a version in JSON form, keyed by `goos/goarch` (the fixture's constants.json shape). */
export function profilesToJSON(version: GoVersion | string): Record<string, ProfileJSON> {
  const out: Record<string, ProfileJSON> = {};
  for (const p of allProfiles(version)) out[p.pair] = profileToJSON(p);
  return out;
}
