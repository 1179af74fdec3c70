/**
 * The allocators the benchmark replays traces on. Each entry makes a fresh
 * allocator per round; the first entry is the reference the table's ratios
 * are taken against (override with `--reference NAME`). To add one, import
 * its entry and put it in {@link allocators}: gomalloc goes first, which makes
 * it the reference. See bench/README.md.
 */
import type { Allocator, ObjectBytes } from "@gomalloc/trace";
import { gomalloc, gomallocSab, gomallocSim, gomallocWasm } from "./peers/gomalloc.js";
import { memPool } from "./peers/mempool.js";
import { tlsf } from "./peers/tlsf.js";
import { uint8Array } from "./peers/uint8array.js";

/** An allocator under benchmark: the replay interface plus what it costs in memory. */
export interface BenchAllocator extends Allocator {
  /** Bytes of backing memory the allocator holds now (what exactly: see {@link AllocatorEntry.backing}). */
  backingBytes(): number;
  /** Accessor of object bytes for the pattern check; without it the allocator is not verified. */
  readonly bytes?: ObjectBytes;
}

/** What an entry may use to size itself: figures of the trace about to be replayed. */
export interface TraceHint {
  /** Operations in the trace. */
  readonly ops: number;
  /** Most requested bytes live at once. */
  readonly peakLiveBytes: number;
  /** Largest requested size. */
  readonly maxSize: number;
}

/** A registered allocator. */
export interface AllocatorEntry {
  /** Short name for the table and `--allocators` / `--reference`. */
  readonly name: string;
  /** What `backingBytes()` measures, in one sentence, printed under the table. */
  readonly backing: string;
  /** Makes a fresh, empty allocator for one round. */
  create(hint: TraceHint): BenchAllocator | Promise<BenchAllocator>;
}

/** The registry, reference first. */
export const allocators: AllocatorEntry[] = [
  gomalloc,
  gomallocSab,
  gomallocWasm,
  gomallocSim,
  tlsf,
  memPool,
  uint8Array,
];
