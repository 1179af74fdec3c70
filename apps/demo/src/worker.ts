/**
 * The Web Worker that owns the heap when the demo runs "in a worker": it
 * answers the page's requests (protocol.ts) with a {@link DemoEngine}. For a
 * shared backend it answers a step with the replay's progress only, since the
 * page reads the heap itself through a read-only handle on the same memory;
 * otherwise it posts the whole snapshot, transferring the page map's arrays.
 */
import { DemoEngine } from "./engine.js";
import type { Request, RequestMessage, Response, StepAnswer, StepResult } from "./protocol.js";
import { describeError, snapshotTransfer, takeSnapshot } from "./snapshot.js";

interface WorkerScope {
  onmessage: ((e: MessageEvent<RequestMessage>) => void) | null;
  postMessage(message: Response, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as WorkerScope;
let engine: DemoEngine | null = null;

function owner(): DemoEngine {
  if (engine === null) throw new Error("no heap yet: send init first");
  return engine;
}

function answer(e: DemoEngine, step: StepResult, full: boolean): StepAnswer {
  return full ? takeSnapshot(e.heap, step, "worker") : step;
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case "init":
      engine?.heap.close();
      engine = null;
      engine = new DemoEngine(req.config, req.memory);
      return null;
    case "step":
      return answer(owner(), owner().step(req.maxOps, req.budgetMs), req.full);
    case "snapshot":
      return answer(owner(), owner().idle(), req.full);
    case "scavenge": {
      const released = owner().scavenge();
      return { released, answer: answer(owner(), owner().idle(), req.full) };
    }
    case "freeCycle":
      owner().freeCycle();
      return answer(owner(), owner().idle(), req.full);
    case "setMemProfileRate":
      owner().setMemProfileRate(req.rate);
      return null;
    case "profile":
      return owner().profile();
  }
}

function transferOf(result: unknown): Transferable[] {
  if (result instanceof Uint8Array) return [result.buffer as ArrayBuffer];
  const r = result as { pageMap?: unknown; answer?: { pageMap?: unknown } } | null;
  if (r?.pageMap !== undefined) return snapshotTransfer(r as never);
  if (r?.answer?.pageMap !== undefined) return snapshotTransfer(r.answer as never);
  return [];
}

scope.onmessage = (e) => {
  const { id, req } = e.data;
  handle(req).then(
    (result) => scope.postMessage({ id, ok: true, result }, transferOf(result)),
    (err: unknown) => scope.postMessage({ id, ok: false, error: describeError(err) }),
  );
};
