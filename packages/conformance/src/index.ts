/**
 * @packageDocumentation
 * Checks gomalloc's constants and tables against fixtures extracted from Go itself.
 *
 * The fixtures (fixtures/go1.19, fixtures/go1.26) are written by a Go program
 * in extract/ that type-checks package runtime for every GOOS/GOARCH pair.
 * {@link checkArch} compares `@gomalloc/arch` with them; {@link checkDump}
 * compares anyone's dump in the same format; {@link runExtractor} extracts live
 * from a Go tree.
 *
 * @example
 * ```ts
 * import { checkArch, checkDump } from "@gomalloc/conformance";
 * checkArch("1.26").ok; // true
 * checkDump("1.19", { constants: { "linux/amd64": { heapAddrBits: 47 } } }).pairs[0]?.issues[0]?.message;
 * // "go1.19 linux/amd64 heapAddrBits: expected 48, actual 47"
 * ```
 */
export type { CheckOptions, ConformanceReport, DumpCheckOptions, GoDump, SizeClassResult } from "./check.js";
export { checkArch, checkDump, checkSizeClasses, parseDump, reportViolations } from "./check.js";
export type { ConstantIssue, IssueKind, PairResult, TableIssue } from "./compare.js";
export { compareConstants, compareSizeClasses, sameValue, showValue } from "./compare.js";
export type { ConformanceError } from "./errors.js";
export { DumpFormatError, ExtractorError, GoNotFoundError, GorootError } from "./errors.js";
export type { Extracted, ExtractorOptions } from "./extractor.js";
export {
  defaultGoroot,
  extractorDir,
  findGo,
  fixtureFiles,
  gorootEnv,
  readGorootVersion,
  runExtractor,
} from "./extractor.js";
export type {
  ConstantsFixture,
  FixtureConstantMeta,
  FixtureMeta,
  FixtureValue,
  GoFixtures,
  PairConstants,
  SizeClassFixture,
  SizeClassTables,
} from "./fixtures.js";
export {
  fixturesDir,
  loadFixtures,
  parseConstants,
  parseFixtureValue,
  parseSizeClasses,
  readFixtureDir,
  sizeClassTableNames,
  sizeClassTables,
} from "./fixtures.js";
export { formatReport } from "./report.js";
