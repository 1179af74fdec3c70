/**
 * @packageDocumentation
 * Go's heap sampling (MemProfileRate, fastexprand, fastlog2), the heap-profile
 * bucket table with Go's cycle-consistent accounting, pprof heap profiles that
 * `go tool pprof` opens, and Go's MemStats with runtime/metrics names. See the
 * package README and docs/design.md.
 */
export {
  InvalidAllocation,
  InvalidMemProfileRate,
  InvalidProfileOption,
  InvalidSeed,
  InvalidStackDepth,
  InvariantViolation,
  maxProfStackDepth,
  RuntimeThrow,
} from "./errors.js";
export { computeFastlog2Table, fastlog2, fastlog2Table, fastlogNumBits, frexp } from "./fastlog2.js";
export {
  captureStack,
  type FramePredicate,
  gomallocLibraryPackages,
  hideLibraryFrames,
  isGomallocFrame,
  parseStack,
  type StackFrame,
} from "./jsstack.js";
export {
  checkMemProfileRate,
  defaultMemProfileRate,
  fastexprand,
  fastexprandMaxMean,
  nextSample,
  nextSampleOff,
} from "./malloc.js";
export {
  checkMemoryClasses,
  type MemStatsMetricName,
  type MemStatsMetrics,
  type MetricDescription,
  memoryClassLeaves,
  memStatsMetricDescriptions,
  metricsFromMemStats,
} from "./metrics.js";
export {
  type AllocSite,
  checkHeapProfiler,
  defaultStackDepth,
  HeapProfiler,
  type HeapProfilerOptions,
  type MemProfileRecord,
  memRecordFutures,
  mProfCycleWrap,
} from "./mprof.js";
export {
  checkMemStats,
  type MemStats,
  type MemStatsBySize,
  type MemStatsField,
  type MemStatsFillRule,
  memStatsBySizeLength,
  memStatsFields,
  memStatsFill,
  memStatsGoTypes,
  memStatsPauseLength,
  newMemStats,
  numSizeClasses,
} from "./mstats.js";
export {
  buildHeapProfile,
  encodeHeapProfile,
  gzip,
  type HeapProfileOptions,
  type HeapSampleType,
  heapSampleTypes,
  scaleHeapSample,
  writeHeapProfile,
  writeHeapProto,
} from "./protomem.js";
export {
  type CheapRand,
  CheapRandState,
  cheaprandn,
  defaultCheapRandSeed,
  knownGoarches,
  newCheapRand,
  type Seed64,
  Wyrand,
  wyrandGoarches,
  Xorshift64Plus,
} from "./rand.js";
