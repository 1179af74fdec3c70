/**
 * Taking a {@link Snapshot} of a heap between two steps: MemStats, the
 * inspection (per size class, per arena, cycles, scavenger), the page map,
 * and the check that the three agree (`checkInspection`: in-use pages ×
 * page size = HeapInuse, free and released pages = HeapIdle, bytes of live
 * objects = HeapAlloc). It reads only, so it works on the heap's owner and on
 * a read-only handle attached to shared memory alike.
 */
import { checkInspection, type Heap, heapPageMap, inspectHeap } from "@gomalloc/runtime";
import type { InvariantState, MemStatsFigures, Snapshot, StepResult } from "./protocol.js";

/** Picks the shown figures out of Go's MemStats. */
export function memStatsFigures(heap: Heap): MemStatsFigures {
  const m = heap.readMemStats();
  return {
    HeapAlloc: m.HeapAlloc,
    HeapInuse: m.HeapInuse,
    HeapIdle: m.HeapIdle,
    HeapReleased: m.HeapReleased,
    HeapSys: m.HeapSys,
    HeapObjects: m.HeapObjects,
    Sys: m.Sys,
    Mallocs: m.Mallocs,
    Frees: m.Frees,
    TotalAlloc: m.TotalAlloc,
    NumGC: m.NumGC,
    NumForcedGC: m.NumForcedGC,
    NextGC: m.NextGC,
  };
}

/** A message for anything thrown. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/**
 * Snapshots `heap` after a step whose owner reported `step`. A disagreement
 * between the inspection and MemStats marks the invariants failed (the first
 * failure is kept).
 */
export function takeSnapshot(heap: Heap, step: StepResult, source: Snapshot["source"]): Snapshot {
  const memStats = memStatsFigures(heap);
  const inspection = inspectHeap(heap);
  const pageMap = heapPageMap(heap);
  let invariants: InvariantState = step.invariants;
  try {
    checkInspection(inspection, memStats);
  } catch (e) {
    invariants = {
      ok: false,
      error: invariants.error ?? `checkInspection: ${describeError(e)}`,
      checks: invariants.checks,
      atOp: step.replay.position,
    };
  }
  return {
    source,
    replay: step.replay,
    invariants,
    memStats,
    inspection,
    pageMap,
    stepMs: step.stepMs,
    stepOps: step.stepOps,
  };
}

/** The transferable buffers of a snapshot (its page map's arrays), for postMessage. */
export function snapshotTransfer(s: Snapshot): ArrayBuffer[] {
  const m = s.pageMap;
  return [m.state.buffer, m.sizeclass.buffer, m.spanStart.buffer] as ArrayBuffer[];
}
