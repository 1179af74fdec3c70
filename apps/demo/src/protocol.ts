/**
 * What the demo's parts say to each other: the run configuration the controls
 * build, the snapshot of a heap the views draw (plain data, so a Web Worker
 * can post it), and the request/response messages between the page and the
 * worker that runs the heap. See ../README.md and docs/design.md.
 */
import type { HeapInspection, HeapPageMap } from "@gomalloc/runtime";
import type { TraceKind } from "@gomalloc/trace";

/** The memory a heap runs on. */
export const backendKinds = ["arraybuffer", "wasm", "wasm-shared", "sab"] as const;
/** A value of {@link backendKinds}. */
export type BackendKind = (typeof backendKinds)[number];

/** How each backend is named in the controls. */
export const backendLabels: Readonly<Record<BackendKind, string>> = {
  arraybuffer: "ArrayBuffer (resizable)",
  wasm: "WebAssembly.Memory",
  "wasm-shared": "WebAssembly.Memory (shared)",
  sab: "SharedArrayBuffer (growable)",
};

/** The generator parameter that sets each kind's live-set size (see {@link DemoConfig.live}). */
export const liveParam: Readonly<Record<TraceKind, "live" | "meanLifetime" | "batch">> = {
  "small-churn": "live",
  mixed: "meanLifetime",
  bulk: "batch",
  large: "live",
};

/** Backends whose memory the page can read while a worker owns the heap. */
export function isSharedBackend(b: BackendKind): boolean {
  return b === "sab" || b === "wasm-shared";
}

/** Where the heap lives: in the page's thread, or in a dedicated Web Worker. */
export type Where = "page" | "worker";

/** One run: the heap's memory and options, and the workload replayed on it. */
export interface DemoConfig {
  /** The backend. */
  backend: BackendKind;
  /** The thread that owns the heap. */
  where: Where;
  /** Most bytes the backend may grow to. */
  maxBytes: number;
  /** gomalloc's GOGC: free-cycle trigger, percent of the live heap (negative: off). */
  gcPercent: number;
  /** Go's MemProfileRate at start (0 off, 1 every allocation). */
  memProfileRate: number;
  /** Fill every object with a pattern and check it before it is freed (slower). */
  verify: boolean;
  /** The generator of @gomalloc/trace, when no trace file is given. */
  kind: TraceKind;
  /** Operations of the generated trace. */
  ops: number;
  /** Seed of the generated trace. */
  seed: number;
  /**
   * The size of the live set, in the kind's own parameter (null: the
   * generator's default): `live` objects for small-churn and large,
   * `meanLifetime` in allocations for mixed, `batch` objects for bulk.
   */
  live: number | null;
  /** Chance a step resizes a live object (small-churn, mixed, large; bulk ignores it). */
  reallocRate: number;
  /** A trace file's text (`gomalloc trace gen` output) to replay instead of a generated trace. */
  traceText: string | null;
  /** The trace file's name, for display. */
  traceName: string | null;
}

/** The replay's progress. */
export interface ReplayState {
  /** A line naming the workload (kind, ops, seed or file). */
  readonly workload: string;
  /** Index of the next operation. */
  readonly position: number;
  /** Operations in the trace. */
  readonly total: number;
  /** Every operation ran. */
  readonly done: boolean;
  /** Objects the trace holds live now. */
  readonly liveObjects: number;
  /** Requested bytes live now. */
  readonly liveBytes: number;
  /** Most requested bytes live at once. */
  readonly peakLiveBytes: number;
  /** Why the replay stopped early (out of memory, pattern mismatch, a thrown error), or null. */
  readonly error: string | null;
}

/** The last invariant check: `heap.checkInvariants()` and `checkInspection` against MemStats. */
export interface InvariantState {
  /** Every check so far passed. */
  readonly ok: boolean;
  /** The first failure's message, or null. */
  readonly error: string | null;
  /** Checks run since the heap was made. */
  readonly checks: number;
  /** The replay position of the last check. */
  readonly atOp: number;
}

/** The MemStats fields the demo shows (Go's names and meanings). */
export interface MemStatsFigures {
  readonly HeapAlloc: number;
  readonly HeapInuse: number;
  readonly HeapIdle: number;
  readonly HeapReleased: number;
  readonly HeapSys: number;
  readonly HeapObjects: number;
  readonly Sys: number;
  readonly Mallocs: number;
  readonly Frees: number;
  readonly TotalAlloc: number;
  readonly NumGC: number;
  readonly NumForcedGC: number;
  readonly NextGC: number;
}

/** Names of {@link MemStatsFigures}, in display order. */
export const memStatsFigureNames: readonly (keyof MemStatsFigures)[] = [
  "HeapAlloc",
  "HeapInuse",
  "HeapIdle",
  "HeapReleased",
  "HeapSys",
  "Sys",
  "HeapObjects",
  "Mallocs",
  "Frees",
  "TotalAlloc",
  "NumGC",
  "NumForcedGC",
  "NextGC",
];

/** Everything the views draw, taken between two steps. */
export interface Snapshot {
  /** Who took it: the page's own heap, the worker's heap (posted), or the page's read-only handle on the worker's shared memory. */
  readonly source: "page" | "worker" | "attached";
  readonly replay: ReplayState;
  readonly invariants: InvariantState;
  readonly memStats: MemStatsFigures;
  readonly inspection: HeapInspection;
  readonly pageMap: HeapPageMap;
  /** Milliseconds the last step spent replaying. */
  readonly stepMs: number;
  /** Operations the last step replayed. */
  readonly stepOps: number;
}

/** The part of a step's result the heap's owner computes (the rest comes from {@link Snapshot}). */
export interface StepResult {
  readonly replay: ReplayState;
  readonly invariants: InvariantState;
  readonly stepMs: number;
  readonly stepOps: number;
}

/** Memory a worker's heap and the page can share. */
export type SharedMemory = SharedArrayBuffer | WebAssembly.Memory;

/** A request from the page to the worker. */
export type Request =
  | { readonly op: "init"; readonly config: DemoConfig; readonly memory: SharedMemory | null }
  | { readonly op: "step"; readonly maxOps: number; readonly budgetMs: number; readonly full: boolean }
  | { readonly op: "snapshot"; readonly full: boolean }
  | { readonly op: "scavenge"; readonly full: boolean }
  | { readonly op: "freeCycle"; readonly full: boolean }
  | { readonly op: "setMemProfileRate"; readonly rate: number }
  | { readonly op: "profile" };

/** What each request answers: a full snapshot, or only the owner's part when the page reads shared memory itself. */
export type StepAnswer = Snapshot | StepResult;

/** The worker's answer to request `id`. */
export type Response =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** A message from the page to the worker. */
export interface RequestMessage {
  readonly id: number;
  readonly req: Request;
}
