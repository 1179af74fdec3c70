/**
 * The P table (Go's `allp` in proc.go, reduced to what allocation needs): a
 * fixed number of P records made at heap creation, each with its mcache and
 * its page cache (`pcache`). A heap handle claims a P with one atomic
 * compare-and-swap on the P's status word (idle → running), writes its
 * owner token (a random 32-bit id per handle) and bumps the P's epoch; it
 * releases the P when detached. Only the handle holding a P allocates and
 * frees through it, so all per-P state (mcache spans, tiny block,
 * statistics) has one writer. A P whose worker died is marked dead and
 * flushed by `reclaimP` from another thread; the P's `inSlow` word says
 * whether its holder was inside a slow path (where it may hold a lock)
 * rather than a lock-free fast path. Handles without a P can still read
 * statistics. See docs/design.md, "Many workers, one heap".
 */

import { PageCache, pageCacheBytes, pageCachePages } from "@gomalloc/mheap";
import type { MemView } from "@gomalloc/os-mem";
import type { Heap } from "./heap.js";

// P record (byte offsets): i32 status, u32 id, f64 mcache, pcache (24 bytes),
// then u32 owner token, u32 epoch, i32 inSlow, pad to 64 bytes.
const P_STATUS = 0;
const P_ID = 4;
const P_MCACHE = 8;
const P_PCACHE = 16;
const P_TOKEN = P_PCACHE + pageCacheBytes;
const P_EPOCH = P_TOKEN + 4;
const P_INSLOW = P_TOKEN + 8;
/**
 * Bytes of one P record: a cache line, so that one worker's writes to its P
 * (the inSlow word on every slow path) never share a line with another's.
 */
export const pRecordBytes = 64;

/** P status: no handle holds it (Go's _Pidle). */
export const pIdle = 0;
/** P status: a handle holds it (Go's _Prunning). */
export const pRunning = 1;
/** P status: its holder died; being flushed by `reclaimP` (Go's _Pdead, for a while). */
export const pDead = 2;

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

/** Releases P i (running or dead → idle), clearing its owner token. */
export function releaseP(v: MemView, table: number, i: number): void {
  const p = pRecord(table, i);
  const w = (p + P_STATUS - v.base) / 4;
  if (v.shared) {
    Atomics.store(v.i32, (p + P_TOKEN - v.base) / 4, 0);
    Atomics.store(v.i32, (p + P_INSLOW - v.base) / 4, 0);
    Atomics.store(v.i32, w, pIdle);
  } else {
    v.u32[(p + P_TOKEN - v.base) / 4] = 0;
    v.i32[(p + P_INSLOW - v.base) / 4] = 0;
    v.i32[w] = pIdle;
  }
}

/** Marks P i dead if it is running under `token` (any token when `token` is undefined); returns whether it did. */
export function markPDead(v: MemView, table: number, i: number, token: number | undefined): boolean {
  const p = pRecord(table, i);
  const w = (p + P_STATUS - v.base) / 4;
  if (token !== undefined && pToken(v, table, i) !== token >>> 0) return false;
  if (v.shared) return Atomics.compareExchange(v.i32, w, pRunning, pDead) === pRunning;
  if (v.i32[w] !== pRunning) return false;
  v.i32[w] = pDead;
  return true;
}

/** Writes the owner token of a just-claimed P i and bumps its epoch; returns the new epoch. */
export function stampP(v: MemView, table: number, i: number, token: number): number {
  const p = pRecord(table, i);
  const e = (p + P_EPOCH - v.base) / 4;
  if (v.shared) {
    Atomics.store(v.i32, (p + P_TOKEN - v.base) / 4, token | 0);
    return (Atomics.add(v.i32, e, 1) + 1) >>> 0;
  }
  v.u32[(p + P_TOKEN - v.base) / 4] = token >>> 0;
  v.u32[e] = v.u32[e]! + 1;
  return v.u32[e]!;
}

/** The owner token of P i (0 when idle). */
export function pToken(v: MemView, table: number, i: number): number {
  const w = (pRecord(table, i) + P_TOKEN - v.base) / 4;
  return (v.shared ? Atomics.load(v.i32, w) : v.i32[w]!) >>> 0;
}

/** The number of claims P i has seen (Go has no such field; it tells a reclaimer which holder it flushes). */
export function pEpoch(v: MemView, table: number, i: number): number {
  const w = (pRecord(table, i) + P_EPOCH - v.base) / 4;
  return (v.shared ? Atomics.load(v.i32, w) : v.i32[w]!) >>> 0;
}

/** u32 index of P i's `inSlow` word: the holder's token while it is in a slow path (where it may hold a lock), else 0. */
export function pInSlowIndex(v: MemView, table: number, i: number): number {
  return (pRecord(table, i) + P_INSLOW - v.base) / 4;
}

/**
 * Calls `fn(i, addr, scavenged)` for every page held in P i's page cache, for
 * each P (free pages the page allocator counts as allocated). For inspection
 * and checks, not for hot paths.
 */
export function forEachCachedPage(heap: Heap, fn: (i: number, addr: number, scavenged: number) => void): void {
  const pageSize = heap.h.geom.pageSize;
  for (let i = 0; i < heap.numPs; i++) {
    const pc = new PageCache(heap.v, pPageCache(heap.ptable, i), pageSize);
    if ((pc.cacheLo | pc.cacheHi) === 0) continue;
    for (let b = 0; b < pageCachePages; b++) {
      const inCache = b < 32 ? (pc.cacheLo >>> b) & 1 : (pc.cacheHi >>> (b - 32)) & 1;
      if (inCache === 0) continue;
      const scav = b < 32 ? (pc.scavLo >>> b) & 1 : (pc.scavHi >>> (b - 32)) & 1;
      fn(i, pc.base + b * pageSize, scav);
    }
  }
}
