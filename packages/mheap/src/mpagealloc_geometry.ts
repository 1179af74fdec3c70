/**
 * The page allocator's geometry: the constants Go derives in mpagealloc.go,
 * mpagealloc_64bit.go and mpagealloc_32bit.go (levelBits, levelShift,
 * levelLogPages, chunk sizes, L1/L2 split, packed-summary width), computed
 * from a profile's numbers instead of from build tags. See docs/design.md,
 * "Managed memory".
 */

import type { SysStat } from "@gomalloc/os-mem";
import type { PersistentAlloc } from "@gomalloc/persistent";
import { PageAllocConfigError } from "./errors.js";

/**
 * The numbers a profile gives the page allocator (Go's per-GOARCH constants).
 * The field names are those of `@gomalloc/arch` profiles, so a profile can be
 * spread into them (with `pageShift: profile._PageShift`).
 */
export interface PageAllocOptions {
  /** log2 of the runtime page size (Go's `pageShift`, 13 everywhere Go runs). */
  pageShift: number;
  /** Address bits the heap may use (Go's `heapAddrBits`: 48 on 64-bit, 32 on 32-bit and js/wasm, 40 on ios/arm64). */
  heapAddrBits: number;
  /** log2 of pages per chunk (Go's `logPallocChunkPages`: 9; 6 on js/wasm since Go 1.26). */
  logPallocChunkPages: number;
  /** Levels of the summary radix tree (Go's `summaryLevels`: 5 on 64-bit, 4 on 32-bit and js/wasm). */
  summaryLevels: number;
  /**
   * Radix bits per level below the root (Go's `summaryLevelBits`).
   * @defaultValue 3
   */
  summaryLevelBits?: number;
  /** Bits of a chunk index that select the L1 entry of the chunk map (Go's `pallocChunksL1Bits`: 13 on 64-bit, 0 on 32-bit). */
  pallocChunksL1Bits: number;
  /**
   * The number added to an address to reach Go's offset address space: Go's
   * `arenaBaseOffset` negated modulo 2^64 (2^47 on linux/amd64, 0 elsewhere).
   * @defaultValue 0
   */
  arenaBaseOffsetAdd?: number;
  /**
   * Go's `physHugePageSize` (0 = no transparent huge pages); the scavenger
   * avoids splitting free huge pages.
   * @defaultValue 0
   */
  physHugePageSize?: number;
  /**
   * Go's `pageAlloc64Bit` (true or 1): reserve the summary levels and the
   * scavenge index sparsely and map them as the heap grows
   * (mpagealloc_64bit.go), instead of mapping them whole at init
   * (mpagealloc_32bit.go).
   * @defaultValue `summaryLevels >= 5`
   */
  pageAlloc64Bit?: boolean | number;
  /**
   * Statistic charged for metadata memory (Go's `sysStat`; mheap passes `gcMiscSys`).
   * @defaultValue SysStat.gcMiscSys
   */
  sysStat?: SysStat;
  /**
   * Where the in-use range arrays come from, as in Go (persistentalloc).
   * @defaultValue whole physical pages from sysAlloc
   */
  persistent?: PersistentAlloc;
  /**
   * Compact metadata (flat backends, with `persistent` and a geometry whose
   * chunk map has no L1 level): the header, every summary level, the chunk
   * bitmaps and the scavenge index come from `persistent`, sized for the
   * chunks grown so far and moved (copied, doubling) when the heap grows
   * past them — instead of being reserved for the whole address space. Go
   * relies on untouched virtual memory costing nothing; on a flat buffer
   * every byte below the break is backing memory, and a small heap would
   * carry hundreds of KiB of page-allocator metadata.
   * @defaultValue false
   */
  compact?: boolean;
  /**
   * Called by `scavenge` with each range it returns to the system (Go calls
   * `sysUnused` there). Omit to only mark pages scavenged.
   */
  release?: ((addr: number, bytes: number) => void) | undefined;
}

/** Every constant of the page allocator, derived once from {@link PageAllocOptions}. */
export class PageAllocGeometry {
  readonly pageShift: number;
  readonly pageSize: number;
  readonly heapAddrBits: number;
  readonly logPallocChunkPages: number;
  readonly pallocChunkPages: number;
  readonly logPallocChunkBytes: number;
  readonly pallocChunkBytes: number;
  readonly summaryLevels: number;
  readonly summaryLevelBits: number;
  readonly summaryL0Bits: number;
  readonly pallocChunksL1Bits: number;
  readonly pallocChunksL2Bits: number;
  /** Entries of one L2 array of the chunk map. */
  readonly l2Entries: number;
  /** Bytes of one chunk's pallocData (alloc + scavenged bitmaps). */
  readonly chunkDataBytes: number;
  /** Go's `logMaxPackedValue`: bits per packed-summary field. */
  readonly logMaxPackedValue: number;
  readonly maxPackedValue: number;
  readonly levelBits: readonly number[];
  readonly levelShift: readonly number[];
  readonly levelLogPages: readonly number[];
  /** Entries per level: 2^(heapAddrBits - levelShift[l]). */
  readonly levelEntries: readonly number[];
  /** Bytes of address space one entry of level l covers: 2^levelShift[l]. */
  readonly levelSpan: readonly number[];
  /** Entries per block of level l: 2^levelBits[l]. */
  readonly levelBlock: readonly number[];
  /** Pages one entry of level l covers: 2^levelLogPages[l]. */
  readonly levelMaxPages: readonly number[];
  /** Number of chunks in the whole address space. */
  readonly totalChunks: number;
  readonly arenaBaseOffsetAdd: number;
  readonly physHugePageSize: number;
  readonly pageAlloc64Bit: boolean;
  /** Go's `maxOffAddr` in offset space: the highest offset address. */
  readonly maxOffAddr: number;
  /** Go's `maxPagesPerPhysPage` (maxPhysPageSize = 512 KiB). */
  readonly maxPagesPerPhysPage: number;

  constructor(o: PageAllocOptions) {
    const int = (name: string, v: number, lo: number, hi: number) => {
      if (!Number.isInteger(v) || v < lo || v > hi) {
        throw new PageAllocConfigError(`page allocator option ${name} = ${v}: want an integer in [${lo}, ${hi}]`);
      }
      return v;
    };
    this.pageShift = int("pageShift", o.pageShift, 0, 30);
    this.pageSize = 2 ** this.pageShift;
    this.heapAddrBits = int("heapAddrBits", o.heapAddrBits, 8, 52);
    this.logPallocChunkPages = int("logPallocChunkPages", o.logPallocChunkPages, 6, 15);
    this.pallocChunkPages = 2 ** this.logPallocChunkPages;
    this.logPallocChunkBytes = this.logPallocChunkPages + this.pageShift;
    this.pallocChunkBytes = 2 ** this.logPallocChunkBytes;
    this.summaryLevels = int("summaryLevels", o.summaryLevels, 1, 8);
    this.summaryLevelBits = int("summaryLevelBits", o.summaryLevelBits ?? 3, 1, 8);
    this.summaryL0Bits =
      this.heapAddrBits - this.logPallocChunkBytes - (this.summaryLevels - 1) * this.summaryLevelBits;
    if (this.summaryL0Bits < 0 || this.summaryL0Bits > 20) {
      throw new PageAllocConfigError(`summaryL0Bits = ${this.summaryL0Bits}: the levels do not fit heapAddrBits`);
    }
    this.pallocChunksL1Bits = int("pallocChunksL1Bits", o.pallocChunksL1Bits, 0, 20);
    this.pallocChunksL2Bits = this.heapAddrBits - this.logPallocChunkBytes - this.pallocChunksL1Bits;
    if (this.pallocChunksL2Bits < 0) throw new PageAllocConfigError("pallocChunksL1Bits leaves no L2 bits");
    this.l2Entries = 2 ** this.pallocChunksL2Bits;
    this.chunkDataBytes = this.pallocChunkPages / 4;
    this.logMaxPackedValue = this.logPallocChunkPages + (this.summaryLevels - 1) * this.summaryLevelBits;
    if (this.logMaxPackedValue > 21) {
      throw new PageAllocConfigError(`logMaxPackedValue = ${this.logMaxPackedValue}: a summary holds 21-bit fields`);
    }
    this.maxPackedValue = 2 ** this.logMaxPackedValue;
    const bits: number[] = [];
    const shift: number[] = [];
    const logPages: number[] = [];
    const entries: number[] = [];
    for (let l = 0; l < this.summaryLevels; l++) {
      bits.push(l === 0 ? this.summaryL0Bits : this.summaryLevelBits);
      shift.push(this.heapAddrBits - this.summaryL0Bits - l * this.summaryLevelBits);
      logPages.push(this.logPallocChunkPages + (this.summaryLevels - 1 - l) * this.summaryLevelBits);
      entries.push(2 ** (this.summaryL0Bits + l * this.summaryLevelBits));
    }
    this.levelBits = bits;
    this.levelShift = shift;
    this.levelLogPages = logPages;
    this.levelEntries = entries;
    this.levelSpan = shift.map((x) => 2 ** x);
    this.levelBlock = bits.map((x) => 2 ** x);
    this.levelMaxPages = logPages.map((x) => 2 ** x);
    // Go throws "root level max pages doesn't fit in summary" in pageAlloc.init.
    if (logPages[0]! > this.logMaxPackedValue)
      throw new PageAllocConfigError("root level max pages doesn't fit in summary");
    this.totalChunks = 2 ** (this.heapAddrBits - this.logPallocChunkBytes);
    this.arenaBaseOffsetAdd = o.arenaBaseOffsetAdd ?? 0;
    if (!Number.isInteger(this.arenaBaseOffsetAdd) || this.arenaBaseOffsetAdd < 0) {
      throw new PageAllocConfigError(`arenaBaseOffsetAdd = ${this.arenaBaseOffsetAdd}: want a non-negative integer`);
    }
    this.physHugePageSize = o.physHugePageSize ?? 0;
    this.pageAlloc64Bit = o.pageAlloc64Bit === undefined ? this.summaryLevels >= 5 : Boolean(o.pageAlloc64Bit);
    this.maxOffAddr = 2 ** this.heapAddrBits - 1;
    this.maxPagesPerPhysPage = Math.max(1, (512 * 1024) / this.pageSize);
  }

  /** Go's `chunkIndex` on an offset address. */
  chunkIndex(off: number): number {
    return Math.floor(off / this.pallocChunkBytes);
  }
  /** Go's `chunkBase` in offset space. */
  chunkBase(ci: number): number {
    return ci * this.pallocChunkBytes;
  }
  /** Go's `chunkPageIndex` on an offset address. */
  chunkPageIndex(off: number): number {
    // Without `%` on a double (a C call in V8): the page index less the chunk's first page index.
    return Math.floor(off / this.pageSize) - Math.floor(off / this.pallocChunkBytes) * this.pallocChunkPages;
  }
  /** Go's `offAddrToLevelIndex`. */
  levelIndex(l: number, off: number): number {
    return Math.floor(off / this.levelSpan[l]!);
  }
  /** Go's `levelIndexToOffAddr`. */
  levelIndexToOffAddr(l: number, idx: number): number {
    return idx * this.levelSpan[l]!;
  }
}
