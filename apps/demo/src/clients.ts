/**
 * One async interface over the two places a heap can live: {@link LocalClient}
 * drives a {@link DemoEngine} in the page's thread; {@link WorkerClient} sends
 * requests to worker.ts and awaits the answers. With a shared backend the
 * worker client also holds a read-only handle (`attachHeap`, no P) on the
 * worker's memory and takes snapshots itself — only while the worker is idle
 * between two requests, so it always sees a heap at rest.
 */
import type { Heap } from "@gomalloc/runtime";
import { attachReadOnly, makeSharedMemory } from "./backends.js";
import { DemoEngine } from "./engine.js";
import {
  type DemoConfig,
  isSharedBackend,
  type Request,
  type RequestMessage,
  type Response,
  type SharedMemory,
  type Snapshot,
  type StepAnswer,
  type Where,
} from "./protocol.js";
import { takeSnapshot } from "./snapshot.js";

/** What the page asks of a heap's owner. */
export interface EngineClient {
  /** The thread that owns the heap. */
  readonly where: Where;
  /** Replays up to `maxOps` operations within about `budgetMs`, then snapshots. */
  step(maxOps: number, budgetMs: number): Promise<Snapshot>;
  /** A snapshot without running anything. */
  snapshot(): Promise<Snapshot>;
  /** Releases every free page; answers the bytes released and a snapshot. */
  scavenge(): Promise<{ released: number; snapshot: Snapshot }>;
  /** Runs a forced free cycle to the end. */
  freeCycle(): Promise<Snapshot>;
  /** Sets Go's MemProfileRate. */
  setMemProfileRate(rate: number): Promise<void>;
  /** The gzipped pprof heap profile. */
  profile(): Promise<Uint8Array>;
  /** Ends the heap (terminates the worker). */
  close(): void;
}

/** Makes the client the configuration asks for. */
export async function openClient(config: DemoConfig): Promise<EngineClient> {
  if (config.where === "page") return new LocalClient(new DemoEngine(config, null));
  const c = new WorkerClient(config);
  try {
    await c.init();
  } catch (e) {
    c.close();
    throw e;
  }
  return c;
}

/** The heap in the page's own thread. */
export class LocalClient implements EngineClient {
  readonly where = "page";
  constructor(private readonly engine: DemoEngine) {}

  async step(maxOps: number, budgetMs: number): Promise<Snapshot> {
    return takeSnapshot(this.engine.heap, this.engine.step(maxOps, budgetMs), "page");
  }
  async snapshot(): Promise<Snapshot> {
    return takeSnapshot(this.engine.heap, this.engine.idle(), "page");
  }
  async scavenge(): Promise<{ released: number; snapshot: Snapshot }> {
    const released = this.engine.scavenge();
    return { released, snapshot: await this.snapshot() };
  }
  async freeCycle(): Promise<Snapshot> {
    this.engine.freeCycle();
    return this.snapshot();
  }
  async setMemProfileRate(rate: number): Promise<void> {
    this.engine.setMemProfileRate(rate);
  }
  profile(): Promise<Uint8Array> {
    return this.engine.profile();
  }
  close(): void {
    this.engine.heap.close();
  }
}

/** The heap in a dedicated module worker. */
export class WorkerClient implements EngineClient {
  readonly where = "worker";
  private readonly worker: Worker;
  private readonly shared: SharedMemory | null;
  private attached: Heap | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly config: DemoConfig) {
    this.shared = isSharedBackend(config.backend) ? makeSharedMemory(config.backend, config.maxBytes) : null;
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "gomalloc-heap" });
    this.worker.onmessage = (e: MessageEvent<Response>) => {
      const r = e.data;
      const p = this.pending.get(r.id);
      if (p === undefined) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(new Error(r.error));
    };
    this.worker.onerror = (e: ErrorEvent) => {
      const err = new Error(`worker failed: ${e.message}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  /** Makes the heap in the worker; with shared memory, attaches the page's read-only handle to it. */
  async init(): Promise<void> {
    await this.call({ op: "init", config: this.config, memory: this.shared });
    if (this.shared !== null) this.attached = attachReadOnly(this.shared);
  }

  private call(req: Request): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const msg: RequestMessage = { id, req };
      this.worker.postMessage(msg);
    });
  }

  /** Completes a worker's answer into a snapshot, reading shared memory when the page has a handle on it. */
  private complete(a: StepAnswer): Snapshot {
    if ("memStats" in a) return a;
    if (this.attached === null) throw new Error("the worker sent no snapshot and the page has no handle");
    return takeSnapshot(this.attached, a, "attached");
  }

  private get full(): boolean {
    return this.attached === null;
  }

  async step(maxOps: number, budgetMs: number): Promise<Snapshot> {
    return this.complete((await this.call({ op: "step", maxOps, budgetMs, full: this.full })) as StepAnswer);
  }
  async snapshot(): Promise<Snapshot> {
    return this.complete((await this.call({ op: "snapshot", full: this.full })) as StepAnswer);
  }
  async scavenge(): Promise<{ released: number; snapshot: Snapshot }> {
    const r = (await this.call({ op: "scavenge", full: this.full })) as { released: number; answer: StepAnswer };
    return { released: r.released, snapshot: this.complete(r.answer) };
  }
  async freeCycle(): Promise<Snapshot> {
    return this.complete((await this.call({ op: "freeCycle", full: this.full })) as StepAnswer);
  }
  async setMemProfileRate(rate: number): Promise<void> {
    await this.call({ op: "setMemProfileRate", rate });
  }
  async profile(): Promise<Uint8Array> {
    return (await this.call({ op: "profile" })) as Uint8Array;
  }
  close(): void {
    this.worker.terminate();
    const err = new Error("the heap was closed");
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.attached = null;
  }
}
