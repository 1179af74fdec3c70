/**
 * The heap's owner: makes the backend's memory and a gomalloc heap on it
 * (`createHeap`), builds the workload (a seeded generator of @gomalloc/trace,
 * or a trace file), and replays it in steps bounded by an operation count and
 * a time budget, so the page stays responsive whatever an operation costs.
 * After each step it checks every heap invariant. It runs the same in the
 * page and in the worker (worker.ts); clients.ts puts an async face on both.
 */
import { createHeap, type Heap, OutOfMemoryError } from "@gomalloc/runtime";
import {
  type Allocator,
  AllocatorFailure,
  type GenerateOptions,
  generateTrace,
  PatternMismatch,
  parseTrace,
  Replay,
  type Trace,
} from "@gomalloc/trace";
import { heapMemoryOptions } from "./backends.js";
import {
  type DemoConfig,
  type InvariantState,
  liveParam,
  type ReplayState,
  type SharedMemory,
  type StepResult,
} from "./protocol.js";
import { describeError } from "./snapshot.js";

/** Makes the configured trace: the file's when one is given, else the generator's. */
export function buildTrace(c: DemoConfig): { trace: Trace; workload: string } {
  if (c.traceText !== null) {
    const trace = parseTrace(c.traceText);
    return { trace, workload: `${c.traceName ?? "trace file"} (${trace.length} ops)` };
  }
  const opts: GenerateOptions = { kind: c.kind, ops: c.ops, seed: c.seed };
  const extra: string[] = [];
  if (c.live !== null) {
    opts[liveParam[c.kind]] = c.live;
    extra.push(`${liveParam[c.kind]} ${c.live}`);
  }
  if (c.reallocRate > 0 && c.kind !== "bulk") {
    opts.reallocRate = c.reallocRate;
    extra.push(`reallocRate ${c.reallocRate}`);
  }
  const trace = generateTrace(opts);
  return { trace, workload: [`${c.kind}, ${c.ops} ops, seed ${c.seed}`, ...extra].join(", ") };
}

/** A heap replaying a workload: see the file header. */
export class DemoEngine {
  /** The heap (this thread holds its P 0). */
  readonly heap: Heap;
  /** The workload. */
  readonly trace: Trace;
  /** Its one-line description. */
  readonly workload: string;
  private readonly replay: Replay;
  private error: string | null = null;
  private inv: InvariantState = { ok: true, error: null, checks: 0, atOp: 0 };
  /** Measured cost of one operation; starts pessimistic so a first step of costly operations stays short. */
  private perOpMs = 0.05;

  /** Makes the memory (or takes the page's shared memory), the heap and the trace. Throws what createHeap or the trace parser throw. */
  constructor(config: DemoConfig, shared: SharedMemory | null) {
    const built = buildTrace(config);
    this.trace = built.trace;
    this.workload = built.workload;
    this.heap = createHeap({
      ...heapMemoryOptions(config.backend, config.maxBytes, shared),
      gcPercent: config.gcPercent,
      memProfileRate: config.memProfileRate,
    });
    const heap = this.heap;
    // Out of memory becomes the driver's 0, so a failed step stands before the failing operation.
    const allocator: Allocator = {
      malloc(size: number): number {
        try {
          return heap.malloc(size);
        } catch (e) {
          if (e instanceof OutOfMemoryError) return 0;
          throw e;
        }
      },
      free(p: number): void {
        heap.free(p);
      },
      realloc(p: number, size: number): number {
        try {
          return heap.realloc(p, size);
        } catch (e) {
          if (e instanceof OutOfMemoryError) return 0;
          throw e;
        }
      },
    };
    this.replay = new Replay(
      this.trace,
      allocator,
      config.verify ? { bytes: (p: number, n: number) => heap.view(p, n) } : {},
    );
  }

  /** The replay's progress. */
  replayState(): ReplayState {
    const r = this.replay;
    return {
      workload: this.workload,
      position: r.position,
      total: this.trace.length,
      done: r.done,
      liveObjects: r.liveObjects,
      liveBytes: r.liveBytes,
      peakLiveBytes: r.peakLiveBytes,
      error: this.error,
    };
  }

  /**
   * Replays up to `maxOps` operations, stopping early once `budgetMs` has
   * passed (at least one operation runs), then checks the heap's invariants.
   * A failed operation stops the replay for good and is reported in
   * {@link ReplayState.error}.
   */
  step(maxOps: number, budgetMs: number): StepResult {
    const r = this.replay;
    const t0 = performance.now();
    let ran = 0;
    while (this.error === null && !r.done && ran < maxOps) {
      const left = budgetMs - (performance.now() - t0);
      if (ran > 0 && left <= 0) break;
      // Chunks sized from the measured cost per operation: cheap ops run in thousands, a verified 1 MiB object alone.
      const chunk = Math.max(1, Math.min(maxOps - ran, 8192, Math.floor(Math.max(left, 1) / this.perOpMs / 2)));
      const c0 = performance.now();
      try {
        ran += r.run(chunk);
      } catch (e) {
        this.error = this.failure(e);
        break;
      }
      const dt = performance.now() - c0;
      if (chunk >= 16 || dt > 1) this.perOpMs = Math.max(dt / chunk, 1e-5);
    }
    const stepMs = performance.now() - t0;
    this.check();
    return { replay: this.replayState(), invariants: this.inv, stepMs, stepOps: ran };
  }

  /** Result of an action that ran no operations (scavenge, free cycle, a fresh snapshot). */
  idle(): StepResult {
    this.check();
    return { replay: this.replayState(), invariants: this.inv, stepMs: 0, stepOps: 0 };
  }

  /** Releases every free page to the backend (Go's debug.FreeOSMemory after a cycle); returns the bytes released. */
  scavenge(): number {
    return this.heap.scavenge(0);
  }

  /** Runs a free cycle and sweeps it to the end (gomalloc's runtime.GC). */
  freeCycle(): void {
    this.heap.freeCycle();
  }

  /** Sets Go's MemProfileRate. */
  setMemProfileRate(rate: number): void {
    if (!Number.isInteger(rate) || rate < 0) throw new RangeError(`MemProfileRate ${rate}: want an integer ≥ 0`);
    this.heap.setMemProfileRate(rate);
  }

  /** The heap profile, pprof format, gzipped (Go's pprof.WriteHeapProfile). */
  profile(): Promise<Uint8Array> {
    return this.heap.writeHeapProfile();
  }

  private failure(e: unknown): string {
    if (e instanceof AllocatorFailure) {
      return `out of memory at operation ${e.opIndex}: object ${e.id} of ${e.size} bytes`;
    }
    if (e instanceof PatternMismatch) return `object contents damaged: ${e.message}`;
    return describeError(e);
  }

  private check(): void {
    let { ok, error } = this.inv;
    try {
      this.heap.checkInvariants();
    } catch (e) {
      if (ok) error = `checkInvariants: ${describeError(e)}`;
      ok = false;
    }
    this.inv = { ok, error, checks: this.inv.checks + 1, atOp: this.replay.position };
  }
}
