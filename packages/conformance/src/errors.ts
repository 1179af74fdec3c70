/**
 * Typed errors of `@gomalloc/conformance`. Each has a `_tag`. They cover the
 * outside world the checks depend on: a missing `go` command or GOROOT, an
 * extractor run that fails, and a dump that is not in the fixture format.
 * See docs/design.md, "Errors".
 */

/** No `go` command was found (PATH, then /usr/local/go/bin/go). */
export class GoNotFoundError extends Error {
  readonly _tag = "GoNotFoundError" as const;
  constructor(detail = "") {
    super(`the \`go\` command was not found on PATH or at /usr/local/go/bin/go${detail ? `: ${detail}` : ""}`);
    this.name = "GoNotFoundError";
  }
}

/** A path that is not a usable GOROOT (no VERSION file or no src/runtime). */
export class GorootError extends Error {
  readonly _tag = "GorootError" as const;
  readonly goroot: string;
  constructor(goroot: string, reason: string) {
    super(`${goroot} is not a Go source tree: ${reason}`);
    this.name = "GorootError";
    this.goroot = goroot;
  }
}

/** The Go extractor exited with an error. */
export class ExtractorError extends Error {
  readonly _tag = "ExtractorError" as const;
  /** Its exit code (null when killed). */
  readonly exitCode: number | null;
  /** What it wrote to stderr. */
  readonly stderr: string;
  constructor(exitCode: number | null, stderr: string) {
    super(`the Go extractor failed (exit ${exitCode}): ${stderr.trim() || "no output"}`);
    this.name = "ExtractorError";
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** A dump that does not have the fixture format; `path` locates the offending part. */
export class DumpFormatError extends Error {
  readonly _tag = "DumpFormatError" as const;
  /** JSON path of the bad value, e.g. `$.constants["linux/amd64"].heapAddrBits`. */
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = "DumpFormatError";
    this.path = path;
  }
}

/** Every error class this package throws (besides @gomalloc/arch's version and pair errors). */
export type ConformanceError = GoNotFoundError | GorootError | ExtractorError | DumpFormatError;
