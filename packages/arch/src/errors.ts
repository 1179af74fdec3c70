/**
 * Typed errors of `@gomalloc/arch`. Each carries a `_tag` naming its class so
 * callers can switch on it without `instanceof`, and the inputs that were
 * refused. See docs/design.md, "Errors".
 */

/** A Go version this package has no formulas for (it knows {@link goVersions}). */
export class UnknownGoVersionError extends Error {
  readonly _tag = "UnknownGoVersionError" as const;
  /** The version string that was asked for. */
  readonly version: string;
  /** The versions that are known. */
  readonly known: readonly string[];

  constructor(version: string, known: readonly string[]) {
    super(`unknown Go version ${JSON.stringify(version)}: known versions are ${known.join(", ")}`);
    this.name = "UnknownGoVersionError";
    this.version = version;
    this.known = known;
  }
}

/** A GOOS/GOARCH pair that `go tool dist list` of that Go version does not print. */
export class UnknownPairError extends Error {
  readonly _tag = "UnknownPairError" as const;
  /** The Go version whose port list was searched. */
  readonly goVersion: string;
  readonly goos: string;
  readonly goarch: string;
  /** Every pair of that version, as `goos/goarch`. */
  readonly pairs: readonly string[];

  constructor(goVersion: string, goos: string, goarch: string, pairs: readonly string[]) {
    const sameOs = pairs.filter((p) => p.startsWith(`${goos}/`)).map((p) => p.slice(goos.length + 1));
    const hint =
      sameOs.length > 0
        ? `; GOOS=${goos} supports GOARCH ${sameOs.join(", ")}`
        : `; run \`gomalloc constants --go ${goVersion} --all\` or see listPairs("${goVersion}")`;
    super(`Go ${goVersion} has no port ${goos}/${goarch} (not printed by \`go tool dist list\`)${hint}`);
    this.name = "UnknownPairError";
    this.goVersion = goVersion;
    this.goos = goos;
    this.goarch = goarch;
    this.pairs = pairs;
  }
}

/** A constant name that the profile's Go version does not declare. */
export class UnknownConstantError extends Error {
  readonly _tag = "UnknownConstantError" as const;
  readonly goVersion: string;
  /** The name that was asked for. */
  readonly constant: string;

  constructor(goVersion: string, constant: string) {
    super(`Go ${goVersion} profiles have no constant ${JSON.stringify(constant)}`);
    this.name = "UnknownConstantError";
    this.goVersion = goVersion;
    this.constant = constant;
  }
}

/** A profile that breaks one of the ARCH-n relations of invariants.ts (Go's throw text where Go checks it). */
export class ProfileInvariantError extends Error {
  readonly _tag = "ProfileInvariantError" as const;
  /** Every broken relation. */
  readonly violations: readonly { readonly id: string; readonly message: string }[];

  constructor(violations: readonly { readonly id: string; readonly message: string }[]) {
    super(violations.map((v) => `${v.id}: ${v.message}`).join("; "));
    this.name = "ProfileInvariantError";
    this.violations = violations;
  }
}

/** Every error class this package throws. */
export type ArchError = UnknownGoVersionError | UnknownPairError | UnknownConstantError | ProfileInvariantError;
