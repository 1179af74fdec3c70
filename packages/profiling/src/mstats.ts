/**
 * Go's `runtime.MemStats` (mstats.go) as a typed record: the same 32 fields in
 * the same order with the same meaning (identical in Go 1.19 and Go 1.26, as
 * the tests check against `reflect` on both), `BySize` with Go's 61 entries
 * (Go has 68 size classes; MemStats never grew past the first 61, and Go copies
 * only those). A gomalloc heap has no garbage collector and no goroutine
 * stacks, so some fields stay zero: {@link memStatsFill} says which and why.
 * {@link checkMemStats} checks the identities Go's `readmemstats_m` maintains.
 * See docs/design.md and the package README.
 *
 * @module
 */
import { InvariantViolation } from "./errors.js";

/** Number of `BySize` entries in Go's MemStats (Go 1.19 and 1.26). */
export const memStatsBySizeLength = 61;

/** Go's `_NumSizeClasses` / `gc.NumSizeClasses` (Go 1.19 and 1.26), of which BySize reports the first 61. */
export const numSizeClasses = 68;

/** Length of Go's `PauseNs` and `PauseEnd` ring buffers. */
export const memStatsPauseLength = 256;

/** One `MemStats.BySize` entry: allocation counts for one size class. */
export interface MemStatsBySize {
  /** Largest object size, in bytes, the class holds (allocations of `BySize[i-1].Size < n <= Size`). */
  Size: number;
  /** Objects ever allocated in this class; `Size * Mallocs` is the bytes they took. */
  Mallocs: number;
  /** Objects of this class freed so far; live objects are `Mallocs - Frees`. */
  Frees: number;
}

/** Go's `runtime.MemStats`, field for field. Byte counts are bytes; counts are plain integers. */
export interface MemStats {
  /** Bytes in heap objects allocated and not yet freed (equal to `HeapAlloc`). */
  Alloc: number;
  /** Bytes ever allocated for heap objects; only grows. */
  TotalAlloc: number;
  /** All memory obtained from the OS (the backend) for any purpose: the sum of every `*Sys` field. */
  Sys: number;
  /** Pointer lookups done by the runtime, a debugging count; Go reports 0. */
  Lookups: number;
  /** Heap objects ever allocated (Go counts each tiny allocation here). */
  Mallocs: number;
  /** Heap objects ever freed (Go counts each tiny allocation here as freed, too). */
  Frees: number;
  /** Bytes in heap objects allocated and not yet freed; rises with malloc, falls with free. */
  HeapAlloc: number;
  /** Address space obtained for the heap, whether in use, idle, or released to the OS. */
  HeapSys: number;
  /** Bytes in spans holding no objects: free for reuse, or released. `HeapIdle - HeapReleased` could be returned to the OS. */
  HeapIdle: number;
  /** Bytes in spans holding at least one object; `HeapInuse - HeapAlloc` is space reserved for a size class but not holding objects. */
  HeapInuse: number;
  /** Bytes of idle spans whose physical memory went back to the OS (scavenged). */
  HeapReleased: number;
  /** Heap objects allocated and not yet freed. */
  HeapObjects: number;
  /** Bytes in spans used for goroutine stacks. */
  StackInuse: number;
  /** Stack memory from the OS: `StackInuse` plus memory mapped directly for OS thread stacks. */
  StackSys: number;
  /** Bytes of mspan records currently in use. */
  MSpanInuse: number;
  /** Bytes obtained from the OS for mspan records. */
  MSpanSys: number;
  /** Bytes of mcache records currently in use. */
  MCacheInuse: number;
  /** Bytes obtained from the OS for mcache records. */
  MCacheSys: number;
  /** Bytes of the profiler's bucket hash tables. */
  BuckHashSys: number;
  /** Bytes of allocator and collector metadata (heap bitmaps, page-allocator summaries, arena metadata). */
  GCSys: number;
  /** Other off-heap runtime memory. */
  OtherSys: number;
  /** The heap size the next collection aims for (`HeapAlloc` at which it starts). */
  NextGC: number;
  /** When the last collection finished, in nanoseconds since the Unix epoch; 0 if none has. */
  LastGC: number;
  /** Nanoseconds spent in stop-the-world pauses since the program began. */
  PauseTotalNs: number;
  /** Ring of the last 256 pause durations (ns); the latest is at `(NumGC + 255) % 256`. */
  PauseNs: number[];
  /** Ring of the last 256 pause end times (ns since the epoch), indexed like `PauseNs`. */
  PauseEnd: number[];
  /** Collections completed. */
  NumGC: number;
  /** Collections the program forced by calling `runtime.GC`. */
  NumForcedGC: number;
  /** Share of available CPU time spent in the collector since the program began, in [0, 1]. */
  GCCPUFraction: number;
  /** Whether a collector is running; Go reports true always (even with GOGC=off). */
  EnableGC: boolean;
  /** Unused by Go; false. */
  DebugGC: boolean;
  /** Per-size-class counts for the first 61 classes; larger objects are not reported here. */
  BySize: MemStatsBySize[];
}

/** A field name of {@link MemStats}. */
export type MemStatsField = keyof MemStats;

/** The fields of Go's MemStats in Go's declaration order. */
export const memStatsFields: readonly MemStatsField[] = [
  "Alloc",
  "TotalAlloc",
  "Sys",
  "Lookups",
  "Mallocs",
  "Frees",
  "HeapAlloc",
  "HeapSys",
  "HeapIdle",
  "HeapInuse",
  "HeapReleased",
  "HeapObjects",
  "StackInuse",
  "StackSys",
  "MSpanInuse",
  "MSpanSys",
  "MCacheInuse",
  "MCacheSys",
  "BuckHashSys",
  "GCSys",
  "OtherSys",
  "NextGC",
  "LastGC",
  "PauseTotalNs",
  "PauseNs",
  "PauseEnd",
  "NumGC",
  "NumForcedGC",
  "GCCPUFraction",
  "EnableGC",
  "DebugGC",
  "BySize",
];

/** Go's type of each MemStats field (as `reflect` prints it). */
export const memStatsGoTypes: Readonly<Record<MemStatsField, string>> = {
  Alloc: "uint64",
  TotalAlloc: "uint64",
  Sys: "uint64",
  Lookups: "uint64",
  Mallocs: "uint64",
  Frees: "uint64",
  HeapAlloc: "uint64",
  HeapSys: "uint64",
  HeapIdle: "uint64",
  HeapInuse: "uint64",
  HeapReleased: "uint64",
  HeapObjects: "uint64",
  StackInuse: "uint64",
  StackSys: "uint64",
  MSpanInuse: "uint64",
  MSpanSys: "uint64",
  MCacheInuse: "uint64",
  MCacheSys: "uint64",
  BuckHashSys: "uint64",
  GCSys: "uint64",
  OtherSys: "uint64",
  NextGC: "uint64",
  LastGC: "uint64",
  PauseTotalNs: "uint64",
  PauseNs: "[256]uint64",
  PauseEnd: "[256]uint64",
  NumGC: "uint32",
  NumForcedGC: "uint32",
  GCCPUFraction: "float64",
  EnableGC: "bool",
  DebugGC: "bool",
  BySize: "[61]struct { Size uint32; Mallocs uint64; Frees uint64 }",
};

/** How a gomalloc heap sets a MemStats field. */
export interface MemStatsFillRule {
  /** `"filled"`: the heap reports its figure; `"zero"`: always 0 (or all-zero); `"fixed"`: always the stated boolean. */
  readonly fill: "filled" | "zero" | "fixed";
  /** Why, in one sentence. */
  readonly reason: string;
}

const heap = "the heap tracks it exactly as Go's readmemstats_m derives it.";
const noGC = "gomalloc has no garbage collector: memory comes back only through explicit free.";

/**
 * Which MemStats fields a gomalloc heap fills and which stay zero, and why.
 * The runtime package fills the record; this is the contract it follows.
 */
export const memStatsFill: Readonly<Record<MemStatsField, MemStatsFillRule>> = {
  Alloc: { fill: "filled", reason: heap },
  TotalAlloc: { fill: "filled", reason: heap },
  Sys: { fill: "filled", reason: "the sum of the *Sys fields, as in Go." },
  Lookups: { fill: "zero", reason: "Go itself reports 0." },
  Mallocs: { fill: "filled", reason: heap },
  Frees: { fill: "filled", reason: "counted when free() is called, not when the span is swept." },
  HeapAlloc: { fill: "filled", reason: heap },
  HeapSys: { fill: "filled", reason: heap },
  HeapIdle: { fill: "filled", reason: heap },
  HeapInuse: { fill: "filled", reason: heap },
  HeapReleased: { fill: "filled", reason: "bytes the scavenger returned to the backend (sysUnused)." },
  HeapObjects: { fill: "filled", reason: heap },
  StackInuse: { fill: "zero", reason: "there are no goroutine stacks in a gomalloc heap." },
  StackSys: { fill: "zero", reason: "there are no goroutine or OS thread stacks in a gomalloc heap." },
  MSpanInuse: { fill: "filled", reason: "span records come from a fixalloc, as in Go." },
  MSpanSys: { fill: "filled", reason: "span records come from a fixalloc, as in Go." },
  MCacheInuse: { fill: "filled", reason: "one mcache record per attached worker." },
  MCacheSys: { fill: "filled", reason: "one mcache record per attached worker." },
  BuckHashSys: {
    fill: "zero",
    reason: "the profiler's bucket table lives in the JavaScript heap, not in the managed memory.",
  },
  GCSys: { fill: "filled", reason: "page-allocator bitmaps and summaries, arena metadata and span bitmaps." },
  OtherSys: { fill: "filled", reason: "other persistentalloc memory." },
  NextGC: { fill: "zero", reason: noGC },
  LastGC: { fill: "zero", reason: noGC },
  PauseTotalNs: { fill: "zero", reason: noGC },
  PauseNs: { fill: "zero", reason: noGC },
  PauseEnd: { fill: "zero", reason: noGC },
  NumGC: { fill: "zero", reason: noGC },
  NumForcedGC: { fill: "zero", reason: noGC },
  GCCPUFraction: { fill: "zero", reason: noGC },
  EnableGC: { fill: "fixed", reason: `false, where Go always says true: ${noGC}` },
  DebugGC: { fill: "fixed", reason: "false, as in Go (unused)." },
  BySize: { fill: "filled", reason: "per size class, for the first 61 classes as in Go." },
};

/**
 * A zeroed MemStats, as Go's zero value but with `BySize[i].Size` set from
 * `classToSize` (Go's `class_to_size`, at least 61 entries, class 0 first) when
 * given. Throws {@link InvariantViolation} (MS9) if `classToSize` is too short.
 */
export function newMemStats(classToSize?: ArrayLike<number>): MemStats {
  if (classToSize !== undefined && classToSize.length < memStatsBySizeLength) {
    throw new InvariantViolation("MS9", `classToSize has ${classToSize.length} entries, want at least 61`);
  }
  const BySize: MemStatsBySize[] = [];
  for (let i = 0; i < memStatsBySizeLength; i++) {
    BySize.push({ Size: classToSize === undefined ? 0 : classToSize[i]!, Mallocs: 0, Frees: 0 });
  }
  return {
    Alloc: 0,
    TotalAlloc: 0,
    Sys: 0,
    Lookups: 0,
    Mallocs: 0,
    Frees: 0,
    HeapAlloc: 0,
    HeapSys: 0,
    HeapIdle: 0,
    HeapInuse: 0,
    HeapReleased: 0,
    HeapObjects: 0,
    StackInuse: 0,
    StackSys: 0,
    MSpanInuse: 0,
    MSpanSys: 0,
    MCacheInuse: 0,
    MCacheSys: 0,
    BuckHashSys: 0,
    GCSys: 0,
    OtherSys: 0,
    NextGC: 0,
    LastGC: 0,
    PauseTotalNs: 0,
    PauseNs: new Array<number>(memStatsPauseLength).fill(0),
    PauseEnd: new Array<number>(memStatsPauseLength).fill(0),
    NumGC: 0,
    NumForcedGC: 0,
    GCCPUFraction: 0,
    EnableGC: false,
    DebugGC: false,
    BySize,
  };
}

/**
 * Checks the identities Go's `readmemstats_m` maintains; throws
 * {@link InvariantViolation} naming the first one broken:
 * - MS1: `Alloc = HeapAlloc`.
 * - MS2: `HeapIdle + HeapInuse = HeapSys`.
 * - MS3: `HeapReleased <= HeapIdle` and `HeapAlloc <= HeapInuse`.
 * - MS4: `HeapObjects = Mallocs - Frees`, `Frees <= Mallocs`, `HeapAlloc <= TotalAlloc`.
 * - MS5: `Sys = HeapSys + StackSys + MSpanSys + MCacheSys + BuckHashSys + GCSys + OtherSys`.
 * - MS6: `StackInuse <= StackSys`, `MSpanInuse <= MSpanSys`, `MCacheInuse <= MCacheSys`.
 * - MS7: `NumForcedGC <= NumGC`; `0 <= GCCPUFraction <= 1`.
 * - MS8: every integer field is a safe integer ≥ 0 (uint32 fields < 2^32); the pause rings have 256 entries.
 * - MS9: `BySize` has 61 entries; each has `Frees <= Mallocs`; `Σ Mallocs <= Mallocs`, `Σ Size·Mallocs <= TotalAlloc`.
 */
export function checkMemStats(m: MemStats): void {
  const fail = (id: string, msg: string): never => {
    throw new InvariantViolation(id, msg);
  };
  for (const f of memStatsFields) {
    const t = memStatsGoTypes[f];
    const v = m[f];
    if (t === "uint64" || t === "uint32") {
      const limit = t === "uint32" ? 2 ** 32 : Number.MAX_SAFE_INTEGER + 1;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v >= limit) fail("MS8", `${f} = ${String(v)}`);
    }
  }
  for (const ring of ["PauseNs", "PauseEnd"] as const) {
    const r = m[ring];
    if (!Array.isArray(r) || r.length !== memStatsPauseLength || r.some((x) => !Number.isSafeInteger(x) || x < 0)) {
      fail("MS8", `${ring} is not 256 integers >= 0`);
    }
  }
  if (m.Alloc !== m.HeapAlloc) fail("MS1", `Alloc ${m.Alloc} != HeapAlloc ${m.HeapAlloc}`);
  if (m.HeapIdle + m.HeapInuse !== m.HeapSys) fail("MS2", `HeapIdle + HeapInuse != HeapSys ${m.HeapSys}`);
  if (m.HeapReleased > m.HeapIdle) fail("MS3", `HeapReleased ${m.HeapReleased} > HeapIdle ${m.HeapIdle}`);
  if (m.HeapAlloc > m.HeapInuse) fail("MS3", `HeapAlloc ${m.HeapAlloc} > HeapInuse ${m.HeapInuse}`);
  if (m.Frees > m.Mallocs || m.HeapObjects !== m.Mallocs - m.Frees) fail("MS4", "HeapObjects != Mallocs - Frees");
  if (m.HeapAlloc > m.TotalAlloc) fail("MS4", `HeapAlloc ${m.HeapAlloc} > TotalAlloc ${m.TotalAlloc}`);
  const sys = m.HeapSys + m.StackSys + m.MSpanSys + m.MCacheSys + m.BuckHashSys + m.GCSys + m.OtherSys;
  if (m.Sys !== sys) fail("MS5", `Sys ${m.Sys} != sum of *Sys ${sys}`);
  if (m.StackInuse > m.StackSys || m.MSpanInuse > m.MSpanSys || m.MCacheInuse > m.MCacheSys) {
    fail("MS6", "an *Inuse field exceeds its *Sys field");
  }
  if (m.NumForcedGC > m.NumGC) fail("MS7", `NumForcedGC ${m.NumForcedGC} > NumGC ${m.NumGC}`);
  if (!(m.GCCPUFraction >= 0 && m.GCCPUFraction <= 1)) fail("MS7", `GCCPUFraction ${m.GCCPUFraction}`);
  if (!Array.isArray(m.BySize) || m.BySize.length !== memStatsBySizeLength) fail("MS9", "BySize must have 61 entries");
  let mallocs = 0;
  let bytes = 0;
  for (const [i, c] of m.BySize.entries()) {
    for (const v of [c.Size, c.Mallocs, c.Frees]) {
      if (!Number.isSafeInteger(v) || v < 0) fail("MS9", `BySize[${i}] has ${String(v)}`);
    }
    if (c.Frees > c.Mallocs) fail("MS9", `BySize[${i}].Frees > Mallocs`);
    mallocs += c.Mallocs;
    bytes += c.Size * c.Mallocs;
  }
  if (mallocs > m.Mallocs) fail("MS9", `sum of BySize Mallocs ${mallocs} > Mallocs ${m.Mallocs}`);
  if (bytes > m.TotalAlloc) fail("MS9", `sum of BySize bytes ${bytes} > TotalAlloc ${m.TotalAlloc}`);
}
