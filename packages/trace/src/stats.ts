/**
 * Summary statistics of a trace: operation counts, live and peak-live objects
 * and bytes (requested sizes, as a perfect allocator with no overhead would
 * hold them), and a power-of-two histogram of requested sizes. These are the
 * denominators of the benchmark's "peak backing ÷ peak live" ratio. See the
 * package README and docs/design.md.
 *
 * @module
 */
import { OP_ALLOC, OP_FREE, type Trace } from "./trace.js";

/** Requests with sizes in [min, max]: buckets are {0}, {1}, (1, 2], (2, 4], (4, 8], … */
export interface SizeBucket {
  /** Smallest size in the bucket. */
  readonly min: number;
  /** Largest size in the bucket (a power of two, or 0). */
  readonly max: number;
  /** Allocations and reallocations with a size in the bucket. */
  readonly count: number;
  /** Their requested bytes. */
  readonly bytes: number;
}

/** What {@link traceStats} reports. */
export interface TraceStats {
  /** Operations in the trace. */
  readonly ops: number;
  /** `a` operations. */
  readonly allocs: number;
  /** `f` operations. */
  readonly frees: number;
  /** `r` operations. */
  readonly reallocs: number;
  /** Bytes requested by `a` operations. */
  readonly allocBytes: number;
  /** Bytes requested by `r` operations (their new sizes). */
  readonly reallocBytes: number;
  /** Objects live after the last operation. */
  readonly liveObjects: number;
  /** Requested bytes live after the last operation. */
  readonly liveBytes: number;
  /** Most objects live at once. */
  readonly peakLiveObjects: number;
  /** Most requested bytes live at once. */
  readonly peakLiveBytes: number;
  /** Operation index right after which `peakLiveBytes` was first reached (-1 for an empty trace). */
  readonly peakLiveAt: number;
  /** Largest requested size (0 for a trace without requests). */
  readonly maxSize: number;
  /** Non-empty buckets of requested sizes, ascending. */
  readonly histogram: readonly SizeBucket[];
}

/** Index of the bucket holding `size`: 0 for 0, 1 for 1, else 1 + ceil(log2(size)). */
export function sizeBucket(size: number): number {
  if (size <= 1) return size;
  if (size <= 0x80000000) return 33 - Math.clz32(size - 1);
  let k = 32;
  while (2 ** k < size) k++;
  return 1 + k;
}

/** Computes {@link TraceStats} in one pass over the trace. */
export function traceStats(trace: Trace): TraceStats {
  const { op, slot, size } = trace;
  const slotSize = new Float64Array(trace.slots);
  const counts = new Float64Array(56);
  const bytes = new Float64Array(56);
  let allocs = 0;
  let frees = 0;
  let allocBytes = 0;
  let reallocBytes = 0;
  let live = 0;
  let liveObjects = 0;
  let peak = 0;
  let peakAt = -1;
  let peakObjects = 0;
  let maxSize = 0;
  for (let i = 0; i < trace.length; i++) {
    const o = op[i]!;
    const s = slot[i]!;
    const n = size[i]!;
    if (o === OP_FREE) {
      live -= n;
      liveObjects--;
      frees++;
      continue;
    }
    if (o === OP_ALLOC) {
      allocs++;
      allocBytes += n;
      liveObjects++;
      live += n;
      if (liveObjects > peakObjects) peakObjects = liveObjects;
    } else {
      reallocBytes += n;
      live += n - slotSize[s]!;
    }
    slotSize[s] = n;
    if (live > peak || peakAt < 0) {
      peak = live;
      peakAt = i;
    }
    if (n > maxSize) maxSize = n;
    const k = sizeBucket(n);
    counts[k]!++;
    bytes[k]! += n;
  }
  const histogram: SizeBucket[] = [];
  for (let k = 0; k < counts.length; k++) {
    if (counts[k] === 0) continue;
    const max = k === 0 ? 0 : 2 ** (k - 1);
    const min = k <= 1 ? max : 2 ** (k - 2) + 1;
    histogram.push({ min, max, count: counts[k]!, bytes: bytes[k]! });
  }
  return {
    ops: trace.length,
    allocs,
    frees,
    reallocs: trace.length - allocs - frees,
    allocBytes,
    reallocBytes,
    liveObjects,
    liveBytes: live,
    peakLiveObjects: peakObjects,
    peakLiveBytes: peak,
    peakLiveAt: peakAt,
    maxSize,
    histogram,
  };
}
