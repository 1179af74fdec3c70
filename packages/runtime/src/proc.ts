/**
 * The P table (Go's `allp` in proc.go, reduced to what allocation needs): a
 * fixed number of P records made at heap creation, each with its mcache and
 * its page cache (`pcache`). A heap handle claims a P with one atomic
 * compare-and-swap on the P's status word and releases it when closed; only
 * the handle holding a P allocates and frees through it, so all per-P state
 * (mcache spans, tiny block, statistics) has one writer. Handles without a P
 * can still read statistics. See docs/design.md, "Ps and mcaches".
 */

import { pageCacheBytes } from "@gomalloc/mheap";
import type { MemView } from "@gomalloc/os-mem";

// P record (byte offsets): i32 status, u32 id, f64 mcache, pcache (24 bytes).
const P_STATUS = 0;
const P_ID = 4;
const P_MCACHE = 8;
const P_PCACHE = 16;
/** Bytes of one P record. */
export const pRecordBytes = P_PCACHE + pageCacheBytes;

/** P status: no handle holds it (Go's _Pidle). */
export const pIdle = 0;
/** P status: a handle holds it (Go's _Prunning). */
export const pRunning = 1;

/** Address of P i's record in the table at `table`. */
export function pRecord(table: number, i: number): number {
  return table + i * pRecordBytes;
}

/** Initialises P i's record (idle, with its mcache). */
export function initP(v: MemView, table: number, i: number, mcache: number): void {
  const p = pRecord(table, i);
  v.u8.fill(0, p - v.base, p - v.base + pRecordBytes);
  v.setU32(p + P_ID, i);
  v.setF64(p + P_MCACHE, mcache);
}

/** The mcache of P i. */
export function pMCache(v: MemView, table: number, i: number): number {
  return v.getF64(pRecord(table, i) + P_MCACHE);
}

/** The page-cache record of P i. */
export function pPageCache(table: number, i: number): number {
  return pRecord(table, i) + P_PCACHE;
}

/** P i's status. */
export function pStatus(v: MemView, table: number, i: number): number {
  const w = (pRecord(table, i) + P_STATUS - v.base) / 4;
  return v.shared ? Atomics.load(v.i32, w) : v.i32[w]!;
}

/**
 * Claims P i (idle → running) with a compare-and-swap; with `force`, takes it
 * whatever its status (a handle that died without releasing it, e.g. before a
 * structured clone of the memory). Returns whether this call got it.
 */
export function claimP(v: MemView, table: number, i: number, force: boolean): boolean {
  const w = (pRecord(table, i) + P_STATUS - v.base) / 4;
  if (force) {
    if (v.shared) Atomics.store(v.i32, w, pRunning);
    else v.i32[w] = pRunning;
    return true;
  }
  if (v.shared) return Atomics.compareExchange(v.i32, w, pIdle, pRunning) === pIdle;
  if (v.i32[w] !== pIdle) return false;
  v.i32[w] = pRunning;
  return true;
}

/** Releases P i (running → idle). */
export function releaseP(v: MemView, table: number, i: number): void {
  const w = (pRecord(table, i) + P_STATUS - v.base) / 4;
  if (v.shared) Atomics.store(v.i32, w, pIdle);
  else v.i32[w] = pIdle;
}
