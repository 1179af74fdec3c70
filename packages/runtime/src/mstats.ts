/**
 * ReadMemStats (Go's mstats.go `readmemstats_m`): sums every P's statistics —
 * objects allocated per size class (flushed at refill, plus what the cached
 * spans handed out since), objects freed per class (counted at free), large
 * and tiny allocations — into Go's MemStats, and takes the memory figures
 * from os-mem's counters (heapInUse, heapFree, heapReleased, mspan_sys,
 * mcache_sys, gcMiscSys, other_sys). Go flushes every mcache first; gomalloc
 * adds the cached spans' in-flight counts instead, so reading statistics
 * does not disturb allocation. NextGC is the live heap at which the next free
 * cycle starts and NumGC counts free cycles. See docs/design.md, "Statistics".
 */
import { freeCycleTrigger } from "@gomalloc/mheap";
import { SysStat } from "@gomalloc/os-mem";
import { type MemStats, memStatsBySizeLength, newMemStats } from "@gomalloc/profiling";
import type { Heap } from "./heap.js";
import {
  MC_ALLOC,
  MC_LARGE_ALLOC,
  MC_LARGE_ALLOC_COUNT,
  MC_LARGE_FREE,
  MC_LARGE_FREE_COUNT,
  MC_TINY_ALLOC_COUNT,
  MC_TINY_ALLOCS,
} from "./mcache.js";
import { pMCache } from "./proc.js";

/** Per-class and total counts summed over every P (what readmemstats_m gathers). */
export interface HeapCounts {
  /** Objects allocated per size class (class 0 unused). */
  allocs: Float64Array;
  /** Objects freed per size class. */
  frees: Float64Array;
  largeAlloc: number;
  largeAllocCount: number;
  largeFree: number;
  largeFreeCount: number;
  tinyAllocs: number;
}

/** Sums the P statistics, with the objects cached spans handed out since their last flush. */
export function heapCounts(heap: Heap): HeapCounts {
  const v = heap.v;
  const sc = heap.sizeClasses;
  const t = heap.t;
  const n = sc.numSizeClasses;
  const c: HeapCounts = {
    allocs: new Float64Array(n),
    frees: new Float64Array(n),
    largeAlloc: 0,
    largeAllocCount: 0,
    largeFree: 0,
    largeFreeCount: 0,
    tinyAllocs: 0,
  };
  const L = heap.layout;
  for (let i = 0; i < heap.numPs; i++) {
    const mc = pMCache(v, heap.ptable, i);
    for (let k = 1; k < n; k++) {
      c.allocs[k]! += v.getF64(mc + L.smallAllocCount + 8 * k) + v.getF64(mc + L.reuseCount + 8 * k);
      c.frees[k]! += v.getF64(mc + L.smallFreeCount + 8 * k);
    }
    for (let spc = 2; spc < sc.numSpanClasses; spc++) {
      const s = v.getF64(mc + MC_ALLOC + 8 * spc);
      if (s !== heap.emptymspan) c.allocs[spc >>> 1]! += t.allocCount(s) - v.getU32(mc + L.acbc + 4 * spc);
    }
    c.largeAlloc += v.getF64(mc + MC_LARGE_ALLOC);
    c.largeAllocCount += v.getF64(mc + MC_LARGE_ALLOC_COUNT);
    c.largeFree += v.getF64(mc + MC_LARGE_FREE);
    c.largeFreeCount += v.getF64(mc + MC_LARGE_FREE_COUNT);
    c.tinyAllocs += v.getF64(mc + MC_TINY_ALLOC_COUNT) + v.getF64(mc + MC_TINY_ALLOCS);
  }
  return c;
}

/** Go's ReadMemStats for the heap (see the file header). */
export function readMemStats(heap: Heap): MemStats {
  const sc = heap.sizeClasses;
  const sys = heap.sys;
  const h = heap.h;
  const c = heapCounts(heap);
  const ms = newMemStats(sc.class_to_size);
  let totalAlloc = c.largeAlloc;
  let totalFree = c.largeFree;
  let nMalloc = c.largeAllocCount + c.tinyAllocs;
  let nFree = c.largeFreeCount + c.tinyAllocs;
  for (let k = 1; k < sc.numSizeClasses; k++) {
    const size = sc.class_to_size[k]!;
    totalAlloc += c.allocs[k]! * size;
    totalFree += c.frees[k]! * size;
    nMalloc += c.allocs[k]!;
    nFree += c.frees[k]!;
    if (k < memStatsBySizeLength) {
      ms.BySize[k]!.Mallocs = c.allocs[k]!;
      ms.BySize[k]!.Frees = c.frees[k]!;
    }
  }
  ms.TotalAlloc = totalAlloc;
  ms.HeapAlloc = totalAlloc - totalFree;
  ms.Alloc = ms.HeapAlloc;
  ms.Mallocs = nMalloc;
  ms.Frees = nFree;
  ms.HeapObjects = nMalloc - nFree;
  ms.HeapInuse = sys.statLoad(SysStat.heapInUse);
  ms.HeapReleased = sys.statLoad(SysStat.heapReleased);
  ms.HeapIdle = sys.statLoad(SysStat.heapFree) + ms.HeapReleased;
  ms.HeapSys = ms.HeapInuse + ms.HeapIdle;
  ms.StackInuse = 0;
  ms.StackSys = sys.statLoad(SysStat.stacks_sys);
  ms.MSpanInuse = h.spanAlloc.inuse;
  ms.MSpanSys = sys.statLoad(SysStat.mspan_sys);
  ms.MCacheInuse = heap.mcacheAlloc().inuse;
  ms.MCacheSys = sys.statLoad(SysStat.mcache_sys);
  ms.BuckHashSys = sys.statLoad(SysStat.buckhash_sys);
  ms.GCSys = sys.statLoad(SysStat.gcMiscSys);
  ms.OtherSys = sys.statLoad(SysStat.other_sys);
  ms.Sys = ms.HeapSys + ms.StackSys + ms.MSpanSys + ms.MCacheSys + ms.BuckHashSys + ms.GCSys + ms.OtherSys;
  const gcPercent = h.getField("gcPercent");
  // (Saturated: a huge gcPercent over a large heap would pass 2^53, where Go's uint64 still counts.)
  ms.NextGC =
    gcPercent < 0
      ? 0
      : Math.min(Number.MAX_SAFE_INTEGER, Math.floor(ms.HeapAlloc + freeCycleTrigger(ms.HeapAlloc, gcPercent)));
  ms.NumGC = h.getField("numCycles");
  ms.NumForcedGC = h.getField("numForced");
  ms.EnableGC = gcPercent >= 0;
  return ms;
}
