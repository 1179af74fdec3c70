/**
 * @packageDocumentation
 * Allocation traces for gomalloc and its peers: a documented text format
 * (`a id size` / `f id` / `r id size`), a streaming parser and a writer, a
 * compact typed-array form for fast replay, seeded generators (small churn,
 * Go-shaped mixed sizes with geometric lifetimes, bulk, large objects), trace
 * statistics, and a replay driver over any `malloc`/`free` allocator with
 * optional pattern checking. See the README and docs/design.md.
 */
export {
  AllocatorFailure,
  InvalidTraceOp,
  InvalidTraceOption,
  InvariantViolation,
  PatternMismatch,
  ReplayUnsupported,
  type TraceErrorReason,
  TraceParseError,
} from "./errors.js";
export {
  type BulkOrder,
  type GenerateOptions,
  type GeneratorParam,
  generateTrace,
  generatorDefaults,
  SizeDist,
  type TraceKind,
  traceKinds,
  traceOptionsFromHeader,
} from "./generate.js";
export { goSizesTotals, goSizesVersion, goSlotSizes } from "./gosizes.generated.js";
export { parseTrace, readTrace, TraceParser, traceMagic } from "./parse.js";
export { Geometric, TraceRand } from "./rand.js";
export {
  type Allocator,
  fillPattern,
  findPatternMismatch,
  isolatedReplayLoop,
  type ObjectBytes,
  patternByte,
  Replay,
  type ReplayLoop,
  type ReplayOptions,
  type ReplayResult,
  replay,
  type StoreBytes,
} from "./replay.js";
export { type SizeBucket, sizeBucket, type TraceStats, traceStats } from "./stats.js";
export {
  checkTrace,
  maxTraceId,
  maxTraceSize,
  OP_ALLOC,
  OP_FREE,
  OP_REALLOC,
  type Trace,
  TraceBuilder,
  type TraceHeader,
  type TraceOp,
  traceFormatVersion,
} from "./trace.js";
export { formatHeader, formatTrace, traceChunks } from "./write.js";
