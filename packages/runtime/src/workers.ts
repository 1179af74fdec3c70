/**
 * Helpers for heaps shared by workers: reading the P table from any handle,
 * and `watchWorker`, which reclaims a worker's P when the worker exits
 * without detaching (Node's worker_threads `exit` event; in a browser call
 * `heap.reclaimP(p, token)` after `worker.terminate()` or on the worker's
 * `error` event — a Web Worker has no exit event). See docs/design.md,
 * "Many workers, one heap".
 */
import type { Heap } from "./heap.js";
import { pDead, pEpoch, pIdle, pInSlowIndex, pRunning, pStatus, pToken } from "./proc.js";

/** One P of the table, as {@link pInfo} reads it. */
export interface PInfo {
  /** The P's index. */
  p: number;
  /** "idle", "running" (a handle holds it) or "dead" (being reclaimed). */
  state: "idle" | "running" | "dead";
  /** The holder's token (0 when idle). */
  token: number;
  /** Claims the P has seen. */
  epoch: number;
  /** Whether the holder is inside a slow path now. */
  inSlow: boolean;
}

/** The P table as of now (racy snapshots of each word), from any handle, with or without a P. */
export function pInfo(heap: Heap): PInfo[] {
  const v = heap.v;
  const out: PInfo[] = [];
  for (let i = 0; i < heap.numPs; i++) {
    const st = pStatus(v, heap.ptable, i);
    out.push({
      p: i,
      state: st === pIdle ? "idle" : st === pRunning ? "running" : st === pDead ? "dead" : "running",
      token: pToken(v, heap.ptable, i),
      epoch: pEpoch(v, heap.ptable, i),
      inSlow: heap.numPs > 1 && Atomics.load(v.i32, pInSlowIndex(v, heap.ptable, i)) !== 0,
    });
  }
  return out;
}

/** What {@link watchWorker} needs of a worker: Node's `Worker` (worker_threads) has it. */
export interface ExitingWorker {
  once(event: "exit", listener: (code: number) => void): unknown;
}

/**
 * Reclaims P `p` (held under `token`, the worker's `heap.token`, which it
 * posts after attaching) when `worker` exits, unless the worker detached
 * first. `onReclaim` hears the outcome: true (reclaimed), false (already
 * idle or held by someone else), or the PReclaimError when the worker died
 * inside a slow path. `heap` may be any handle on the same heap.
 */
export function watchWorker(
  heap: Heap,
  worker: ExitingWorker,
  p: number,
  token: number,
  onReclaim?: (result: boolean | Error) => void,
): void {
  worker.once("exit", () => {
    let r: boolean | Error;
    try {
      r = heap.reclaimP(p, token);
    } catch (e) {
      r = e as Error;
    }
    onReclaim?.(r);
  });
}
