/**
 * Replaying an allocation trace on a gomalloc heap, for `gomalloc demo` and
 * `gomalloc replay`: the backend the flags name, an adapter from the trace
 * driver's allocator interface to the heap (with, when profiling, one named
 * JavaScript function per allocation site — a request-size bucket — so that
 * sampled stacks say which sizes hold memory), the replay in chunks with a
 * progress bar, footprint samples for the growth timeline, a snapshot of
 * MemStats, `inspectHeap` and the heap profile at the operation where the
 * trace's live bytes peak, and optional pattern verification with the heap's
 * invariants checked. See docs/design.md and packages/cli/README.md.
 */
import { type GoVersion, getProfileByPair } from "@gomalloc/arch";
import type { MemStats } from "@gomalloc/profiling";
import {
  BadSizeError,
  type CreateHeapOptions,
  checkInspection,
  createHeap,
  type Heap,
  type HeapFootprint,
  type HeapInspection,
  heapFootprint,
  inspectHeap,
  OutOfMemoryError,
} from "@gomalloc/runtime";
import {
  type Allocator,
  AllocatorFailure,
  type ObjectBytes,
  Replay,
  type StoreBytes,
  sizeBucket,
  type Trace,
  traceStats,
} from "@gomalloc/trace";
import { SingleBar } from "cli-progress";

/** The backends `--backend` accepts. */
export const backendNames = ["arraybuffer", "sab", "wasm", "simulated"] as const;
/** One of {@link backendNames}. */
export type BackendName = (typeof backendNames)[number];

/** Largest buffer a flat backend may grow to (address space only until used). */
export const maxFlatBytes = 2 ** 31;

/** What selects the heap: backend, GOOS/GOARCH (simulated only) and Go release. */
export interface HeapChoice {
  /** The backend. */
  backend: BackendName;
  /** GOOS/GOARCH of the simulated backend. @defaultValue "linux/amd64" */
  pair?: string;
  /** Go release. @defaultValue "1.26" */
  go: GoVersion;
}

/** createHeap options for a choice; throws Error with a message for the user on a bad combination. */
export function heapOptions(c: HeapChoice): CreateHeapOptions {
  if (c.pair !== undefined && c.backend !== "simulated") {
    throw new Error(`--pair ${c.pair} needs --backend simulated (the ${c.backend} backend runs the js/wasm shape)`);
  }
  const goVersion = c.go;
  switch (c.backend) {
    case "arraybuffer":
      return { buffer: new ArrayBuffer(0, { maxByteLength: maxFlatBytes }), goVersion };
    case "sab":
      return { growableSab: { maxByteLength: maxFlatBytes }, goVersion };
    case "wasm":
      return {
        wasmMemory: new WebAssembly.Memory({ initial: 1, maximum: maxFlatBytes / 65536 }),
        maximumPages: maxFlatBytes / 65536,
        goVersion,
      };
    case "simulated":
      getProfileByPair(goVersion, c.pair ?? "linux/amd64"); // UnknownPairError names the ports
      return { simulated: c.pair ?? "linux/amd64", goVersion };
  }
}

/**
 * The replay driver's allocator over a heap; the heap's refusals of a request (OutOfMemoryError,
 * BadSizeError for a size over the profile's maxAlloc) become the driver's 0, their message kept,
 * so that the report names the trace operation.
 */
class HeapAllocator implements Allocator {
  readonly heap: Heap;
  /** The message of the heap's last refusal ("" if none). */
  refused = "";

  constructor(heap: Heap) {
    this.heap = heap;
  }

  malloc(size: number): number {
    try {
      return this.heap.malloc(size);
    } catch (err) {
      return this.failed(err);
    }
  }

  free(ptr: number): void {
    this.heap.free(ptr);
  }

  realloc(ptr: number, size: number): number {
    try {
      return this.heap.realloc(ptr, size);
    } catch (err) {
      return this.failed(err);
    }
  }

  /** OutOfMemoryError or BadSizeError → the driver's 0, keeping the message; anything else is rethrown. */
  protected failed(err: unknown): number {
    if (!(err instanceof OutOfMemoryError || err instanceof BadSizeError)) throw err;
    this.refused = err.message;
    return 0;
  }
}

type SiteFn = (heap: Heap, a: number, b: number) => number;

/** Bucket k of `sizeBucket`'s scale as text: 0, 1, 2, then (2^(k−2), 2^(k−1)]. */
export function bucketRange(k: number): string {
  if (k <= 2) return `${k}B`;
  return `${2 ** (k - 2) + 1}..${2 ** (k - 1)}B`;
}

/** The allocation-site name of a request of `size` bytes, as it appears in heap profiles. */
export function siteName(op: "malloc" | "realloc", size: number): string {
  return `${op} ${bucketRange(sizeBucket(size))}`;
}

// One function per site, named after it: a sampled allocation's JavaScript
// stack then names its site, as a Go stack names the function that allocated.
function namedSite(name: string, realloc: boolean): SiteFn {
  const fns: Record<string, SiteFn> = realloc
    ? { [name]: (heap, p, n) => heap.realloc(p, n) }
    : { [name]: (heap, n) => heap.malloc(n) };
  return fns[name]!;
}

/** {@link HeapAllocator} that allocates through one named function per size bucket. */
class SiteAllocator extends HeapAllocator {
  private readonly mallocs: SiteFn[] = [];
  private readonly reallocs: SiteFn[] = [];

  constructor(heap: Heap) {
    super(heap);
    for (let k = 0; k < 56; k++) {
      this.mallocs.push(namedSite(`malloc ${bucketRange(k)}`, false));
      this.reallocs.push(namedSite(`realloc ${bucketRange(k)}`, true));
    }
  }

  override malloc(size: number): number {
    try {
      // Called through a local, so the frame is named after the function alone (not "Array.…").
      const site = this.mallocs[sizeBucket(size)]!;
      return site(this.heap, size, 0);
    } catch (err) {
      return this.failed(err);
    }
  }

  override realloc(ptr: number, size: number): number {
    try {
      const site = this.reallocs[sizeBucket(size)]!;
      return site(this.heap, ptr, size);
    } catch (err) {
      return this.failed(err);
    }
  }
}

/** Options of {@link runTrace}. */
export interface RunOptions {
  /** Fill every object with its id's pattern and check it on free, realloc and at the end; check heap invariants. */
  verify: boolean;
  /** MemProfileRate (0: no profiling; then allocation goes straight to the heap). */
  profileRate: number;
  /** Show a progress bar on stderr (lines every second when stderr is not a terminal). */
  progress: boolean;
  /** Label of the progress bar. */
  label: string;
}

/** Go's runtime.GC then debug.FreeOSMemory: a free cycle swept to the end, then every free page released. */
export function collectAndRelease(heap: Heap): void {
  heap.freeCycle();
  heap.scavenge(0);
}

/** A footprint sample of the growth timeline. */
export interface TimelinePoint extends HeapFootprint {
  /** Operations replayed when the sample was taken. */
  readonly op: number;
  /** Requested bytes live then. */
  readonly liveBytes: number;
}

/** The heap at one moment: MemStats and the inspection. */
export interface Snapshot {
  /** Operations replayed. */
  readonly op: number;
  /** runtime.ReadMemStats then. */
  readonly memStats: MemStats;
  /** inspectHeap then. */
  readonly inspection: HeapInspection;
}

/** What {@link runTrace} measured. */
export interface RunResult {
  /** Operations replayed. */
  readonly ops: number;
  /** Seconds spent inside the replay (the allocator and the driver's loop, not sampling or reporting). */
  readonly seconds: number;
  /** Most requested bytes live at once, and most objects. */
  readonly peakLiveBytes: number;
  readonly peakLiveObjects: number;
  /** Operations by kind. */
  readonly allocs: number;
  readonly frees: number;
  readonly reallocs: number;
  /** Footprint samples, first at op 0. */
  readonly timeline: readonly TimelinePoint[];
  /** At the operation where the trace's requested live bytes first peak. */
  readonly peak: Snapshot;
  /** After the last operation. */
  readonly end: Snapshot;
  /** After that, {@link collectAndRelease}: what the heap gives back. */
  readonly after: Snapshot;
  /** With verify: objects whose pattern was written and checked. */
  readonly verified: number;
  /** Bytes the scavenger released during the replay. */
  readonly scavenged: number;
}

/** Number of footprint samples (and progress updates) over a replay. */
const chunks = 200;

function snapshot(heap: Heap, op: number, verify: boolean): Snapshot {
  const memStats = heap.readMemStats();
  const inspection = inspectHeap(heap);
  if (verify) {
    heap.checkInvariants();
    checkInspection(inspection, memStats);
  }
  return { op, memStats, inspection };
}

/** Object bytes on a flat backend: a view of the whole buffer (address = index). */
function flatBytes(heap: Heap): ObjectBytes {
  return (p, n) => heap.u8.subarray(p, p + n);
}

/**
 * Object bytes on the simulated backend: a view where the object lies in one
 * reservation, else a copy (an object may straddle two arenas reserved apart,
 * as Go's large objects do), written back through `store`.
 */
function simulatedBytes(heap: Heap): { bytes: ObjectBytes; store: StoreBytes } {
  const oneView = (p: number, n: number) => heap.sys.viewOf(p).covers(p, n);
  return {
    bytes: (p, n) => {
      if (oneView(p, n)) return heap.view(p, n);
      const copy = new Uint8Array(n);
      heap.read(p, copy);
      return copy;
    },
    store: (p, b) => {
      if (!oneView(p, b.length)) heap.write(p, b);
    },
  };
}

const yieldToTimers = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Replays `trace` on `heap` (see the file header). With a profile rate, the
 * heap profile is published at the peak, so that `writeHeapProfile` of the
 * profiling package gives the profile as of the peak (Go's profile is as of
 * the last GC likewise). After the last operation it runs
 * {@link collectAndRelease} and takes one more snapshot. Throws Error naming the operation when the heap runs
 * out of memory, and the trace package's PatternMismatch when verification
 * finds damage.
 */
export async function runTrace(heap: Heap, trace: Trace, opts: RunOptions): Promise<RunResult> {
  const stats = traceStats(trace);
  const allocator = opts.profileRate > 0 ? new SiteAllocator(heap) : new HeapAllocator(heap);
  if (opts.profileRate > 0) heap.setMemProfileRate(opts.profileRate);
  const flat = heap.sys.caps.backend !== "simulated";
  const r = new Replay(trace, allocator, !opts.verify ? {} : flat ? { bytes: flatBytes(heap) } : simulatedBytes(heap));
  const peakAt = stats.peakLiveAt < 0 ? trace.length : stats.peakLiveAt + 1;
  const step = Math.max(1, Math.ceil(trace.length / chunks));
  const timeline: TimelinePoint[] = [{ op: 0, liveBytes: 0, ...heapFootprint(heap) }];
  const scav0 = heapFootprint(heap).scavengedTotal;
  let peak: Snapshot | undefined;
  let ms = 0;
  const bar = opts.progress
    ? new SingleBar({
        format: `${opts.label} [{bar}] {percentage}% | {value}/{total} ops | {eta_formatted}`,
        barsize: 24,
        stream: process.stderr,
        noTTYOutput: true,
        notTTYSchedule: 1000,
        hideCursor: false,
        gracefulExit: false,
      })
    : undefined;
  bar?.start(trace.length, 0);
  try {
    if (trace.length === 0) peak = snapshot(heap, 0, opts.verify);
    while (!r.done) {
      const to = r.position < peakAt ? Math.min(peakAt, r.position + step) : r.position + step;
      const t0 = performance.now();
      try {
        r.run(to - r.position);
      } catch (err) {
        if (err instanceof AllocatorFailure && allocator.refused !== "") {
          throw new Error(`op ${err.opIndex} (id ${err.id}, ${err.size} bytes): ${allocator.refused}`);
        }
        throw err;
      }
      ms += performance.now() - t0;
      if (r.position === peakAt && peak === undefined) {
        peak = snapshot(heap, r.position, opts.verify);
        if (opts.profileRate > 0) heap.profiler.publish();
      }
      timeline.push({ op: r.position, liveBytes: r.liveBytes, ...heapFootprint(heap) });
      bar?.update(r.position);
      if (bar !== undefined) await yieldToTimers();
    }
  } finally {
    bar?.stop();
  }
  let verified = 0;
  if (opts.verify) {
    r.checkLive();
    for (let i = 0; i < trace.length; i++) if (trace.op[i] !== 1) verified++;
  }
  const end = snapshot(heap, r.position, opts.verify);
  const scavenged = heapFootprint(heap).scavengedTotal - scav0;
  collectAndRelease(heap);
  const after = snapshot(heap, r.position, opts.verify);
  return {
    ops: r.position,
    seconds: ms / 1000,
    peakLiveBytes: stats.peakLiveBytes,
    peakLiveObjects: stats.peakLiveObjects,
    allocs: stats.allocs,
    frees: stats.frees,
    reallocs: stats.reallocs,
    timeline,
    peak: peak ?? end,
    end,
    after,
    verified,
    scavenged,
  };
}

/** Builds the heap for a choice. */
export function makeHeap(c: HeapChoice): Heap {
  return createHeap(heapOptions(c));
}
