/**
 * `runtime/metrics` names for the figures a {@link MemStats} record holds
 * (Go's metrics.go computes them from the same heap and system counters that
 * `readmemstats_m` reads). Only the metrics a MemStats record determines are
 * here — the `/memory/classes/…` breakdown, the `/gc/heap/…` totals and the
 * cycle counts — plus the tiny-allocation count the caller passes beside it;
 * histograms, `/gc/heap/live`, `/gc/gogc`, scan and scheduler metrics are not
 * derivable from MemStats and are left out. Names, kinds and cumulativeness
 * are checked against `metrics.All()` of Go 1.26 (and Go 1.19, which has them
 * all). See docs/design.md and the package README.
 *
 * @module
 */
import { InvalidProfileOption, InvariantViolation } from "./errors.js";
import type { MemStats } from "./mstats.js";

/** Go's `metrics.Description`, for the metrics this package derives. */
export interface MetricDescription {
  /** The metric's name, `/path:unit`. */
  readonly Name: MemStatsMetricName;
  /** What it measures and how it is derived from MemStats. */
  readonly Description: string;
  /** Go's `metrics.ValueKind`: all of these are `KindUint64`. */
  readonly Kind: "KindUint64";
  /** Whether the value only grows over the program's life. */
  readonly Cumulative: boolean;
}

/** The `runtime/metrics` names {@link metricsFromMemStats} produces. */
export type MemStatsMetricName =
  | "/gc/cycles/automatic:gc-cycles"
  | "/gc/cycles/forced:gc-cycles"
  | "/gc/cycles/total:gc-cycles"
  | "/gc/heap/allocs:bytes"
  | "/gc/heap/allocs:objects"
  | "/gc/heap/frees:bytes"
  | "/gc/heap/frees:objects"
  | "/gc/heap/goal:bytes"
  | "/gc/heap/objects:objects"
  | "/gc/heap/tiny/allocs:objects"
  | "/memory/classes/heap/free:bytes"
  | "/memory/classes/heap/objects:bytes"
  | "/memory/classes/heap/released:bytes"
  | "/memory/classes/heap/stacks:bytes"
  | "/memory/classes/heap/unused:bytes"
  | "/memory/classes/metadata/mcache/free:bytes"
  | "/memory/classes/metadata/mcache/inuse:bytes"
  | "/memory/classes/metadata/mspan/free:bytes"
  | "/memory/classes/metadata/mspan/inuse:bytes"
  | "/memory/classes/metadata/other:bytes"
  | "/memory/classes/os-stacks:bytes"
  | "/memory/classes/other:bytes"
  | "/memory/classes/profiling/buckets:bytes"
  | "/memory/classes/total:bytes";

/** The values of every {@link MemStatsMetricName}. */
export type MemStatsMetrics = Record<MemStatsMetricName, number>;

const d = (Name: MemStatsMetricName, Cumulative: boolean, Description: string): MetricDescription => ({
  Name,
  Description,
  Kind: "KindUint64",
  Cumulative,
});

/** Descriptions of the derived metrics, sorted by name as Go's `metrics.All()` is. */
export const memStatsMetricDescriptions: readonly MetricDescription[] = [
  d("/gc/cycles/automatic:gc-cycles", true, "Collections the runtime started by itself: NumGC - NumForcedGC."),
  d("/gc/cycles/forced:gc-cycles", true, "Collections the program forced: NumForcedGC."),
  d("/gc/cycles/total:gc-cycles", true, "All completed collections: NumGC."),
  d("/gc/heap/allocs:bytes", true, "Bytes ever allocated to heap objects: TotalAlloc."),
  d(
    "/gc/heap/allocs:objects",
    true,
    "Heap objects ever allocated, counting each tiny block once rather than each tiny allocation: Mallocs - tiny allocs.",
  ),
  d("/gc/heap/frees:bytes", true, "Bytes of heap objects freed: TotalAlloc - HeapAlloc."),
  d("/gc/heap/frees:objects", true, "Heap objects freed, tiny allocations excluded: Frees - tiny allocs."),
  d("/gc/heap/goal:bytes", false, "The heap size the next collection aims for: NextGC."),
  d("/gc/heap/objects:objects", false, "Heap objects allocated and not yet freed: HeapObjects."),
  d("/gc/heap/tiny/allocs:objects", true, "Small pointer-free allocations packed together into tiny blocks."),
  d("/memory/classes/heap/free:bytes", false, "Heap memory that is free and still backed: HeapIdle - HeapReleased."),
  d("/memory/classes/heap/objects:bytes", false, "Bytes in heap objects allocated and not yet freed: HeapAlloc."),
  d("/memory/classes/heap/released:bytes", false, "Free heap memory returned to the OS: HeapReleased."),
  d("/memory/classes/heap/stacks:bytes", false, "Heap memory holding goroutine stacks: StackInuse."),
  d("/memory/classes/heap/unused:bytes", false, "In-use spans' bytes not holding objects: HeapInuse - HeapAlloc."),
  d("/memory/classes/metadata/mcache/free:bytes", false, "mcache memory reserved but unused: MCacheSys - MCacheInuse."),
  d("/memory/classes/metadata/mcache/inuse:bytes", false, "mcache memory in use: MCacheInuse."),
  d("/memory/classes/metadata/mspan/free:bytes", false, "mspan memory reserved but unused: MSpanSys - MSpanInuse."),
  d("/memory/classes/metadata/mspan/inuse:bytes", false, "mspan memory in use: MSpanInuse."),
  d("/memory/classes/metadata/other:bytes", false, "Other allocator and collector metadata: GCSys."),
  d("/memory/classes/os-stacks:bytes", false, "Stack memory mapped directly from the OS: StackSys - StackInuse."),
  d("/memory/classes/other:bytes", false, "Other off-heap runtime memory: OtherSys."),
  d("/memory/classes/profiling/buckets:bytes", false, "Memory of the profiler's bucket tables: BuckHashSys."),
  d("/memory/classes/total:bytes", false, "All memory mapped by the runtime, the sum of the other classes: Sys."),
];

/** The `/memory/classes` leaves whose sum is `/memory/classes/total:bytes`. */
export const memoryClassLeaves: readonly MemStatsMetricName[] = memStatsMetricDescriptions
  .map((m) => m.Name)
  .filter((n) => n.startsWith("/memory/classes/") && n !== "/memory/classes/total:bytes");

/**
 * Computes the {@link MemStatsMetricName} metrics from a MemStats record, with
 * Go's formulas (each description states its own). `tinyAllocs` is the count of
 * tiny allocations, which MemStats folds into both `Mallocs` and `Frees` and
 * runtime/metrics reports apart. Throws {@link InvalidProfileOption} unless
 * `tinyAllocs` is a safe integer in 0..min(Mallocs, Frees), and
 * {@link InvariantViolation} if a difference would be negative (a record that
 * fails {@link checkMemStats}).
 */
export function metricsFromMemStats(m: MemStats, tinyAllocs = 0): MemStatsMetrics {
  if (!Number.isSafeInteger(tinyAllocs) || tinyAllocs < 0 || tinyAllocs > m.Mallocs || tinyAllocs > m.Frees) {
    throw new InvalidProfileOption(
      "tinyAllocs",
      `want an integer in 0..min(Mallocs, Frees), got ${String(tinyAllocs)}`,
    );
  }
  const sub = (a: number, b: number, what: string): number => {
    if (a < b) throw new InvariantViolation("MC2", `${what} would be negative (${a} - ${b})`);
    return a - b;
  };
  return {
    "/gc/cycles/automatic:gc-cycles": sub(m.NumGC, m.NumForcedGC, "NumGC - NumForcedGC"),
    "/gc/cycles/forced:gc-cycles": m.NumForcedGC,
    "/gc/cycles/total:gc-cycles": m.NumGC,
    "/gc/heap/allocs:bytes": m.TotalAlloc,
    "/gc/heap/allocs:objects": m.Mallocs - tinyAllocs,
    "/gc/heap/frees:bytes": sub(m.TotalAlloc, m.HeapAlloc, "TotalAlloc - HeapAlloc"),
    "/gc/heap/frees:objects": m.Frees - tinyAllocs,
    "/gc/heap/goal:bytes": m.NextGC,
    "/gc/heap/objects:objects": m.HeapObjects,
    "/gc/heap/tiny/allocs:objects": tinyAllocs,
    "/memory/classes/heap/free:bytes": sub(m.HeapIdle, m.HeapReleased, "HeapIdle - HeapReleased"),
    "/memory/classes/heap/objects:bytes": m.HeapAlloc,
    "/memory/classes/heap/released:bytes": m.HeapReleased,
    "/memory/classes/heap/stacks:bytes": m.StackInuse,
    "/memory/classes/heap/unused:bytes": sub(m.HeapInuse, m.HeapAlloc, "HeapInuse - HeapAlloc"),
    "/memory/classes/metadata/mcache/free:bytes": sub(m.MCacheSys, m.MCacheInuse, "MCacheSys - MCacheInuse"),
    "/memory/classes/metadata/mcache/inuse:bytes": m.MCacheInuse,
    "/memory/classes/metadata/mspan/free:bytes": sub(m.MSpanSys, m.MSpanInuse, "MSpanSys - MSpanInuse"),
    "/memory/classes/metadata/mspan/inuse:bytes": m.MSpanInuse,
    "/memory/classes/metadata/other:bytes": m.GCSys,
    "/memory/classes/os-stacks:bytes": sub(m.StackSys, m.StackInuse, "StackSys - StackInuse"),
    "/memory/classes/other:bytes": m.OtherSys,
    "/memory/classes/profiling/buckets:bytes": m.BuckHashSys,
    "/memory/classes/total:bytes": m.Sys,
  };
}

/**
 * Checks runtime/metrics' documented identity MC1: `/memory/classes/total:bytes`
 * equals the sum of the other `/memory/classes` leaves. Throws {@link InvariantViolation}.
 */
export function checkMemoryClasses(metrics: MemStatsMetrics): void {
  let sum = 0;
  for (const n of memoryClassLeaves) sum += metrics[n];
  const total = metrics["/memory/classes/total:bytes"];
  if (sum !== total) throw new InvariantViolation("MC1", `memory classes sum to ${sum}, total is ${total}`);
}
