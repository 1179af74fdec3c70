/**
 * The typed shape of a profile: one readonly field per Go constant, named
 * exactly as Go names it. Constants whose name is the same in Go 1.19 and Go
 * 1.26 sit in {@link CommonConstants}; the ones Go 1.26 renamed keep their Go
 * 1.19 name in {@link RenamedConstants} (present on both versions' profiles, as
 * aliases on 1.26); the rest are per version. Integers are numbers up to 2^53
 * and bigints beyond; arrays are Go's constant-initialised `levelBits`-style
 * tables. See docs/design.md, "Layers".
 */

/** Any constant's value: a number (≤ 2^53), a bigint (beyond), a boolean, or an array of numbers. */
export type ConstantValue = number | bigint | boolean | readonly number[];

/** Constants with the same Go name in Go 1.19 and Go 1.26. */
export interface CommonConstants {
  // internal/goarch/goarch.go
  /** Size of a pointer/uintptr in bytes: 4 or 8. */
  readonly PtrSize: number;
  /** True on big-endian architectures (mips, mips64, ppc64, s390x). */
  readonly BigEndian: boolean;
  /** The physical page size the runtime assumes before asking the OS (goarch_$GOARCH.go). */
  readonly DefaultPhysPageSize: number;
  /** Smallest instruction size in bytes: 1 on x86 and wasm, 2 on s390x (and riscv64 in 1.26), else 4. */
  readonly PCQuantum: number;
  /** Alignment of 64-bit values in structs: equal to PtrSize. */
  readonly Int64Align: number;
  /** Bytes at the bottom of every stack frame reserved for the link register area. */
  readonly MinFrameSize: number;
  /** Required stack pointer alignment. */
  readonly StackAlign: number;

  // runtime/malloc.go
  /** Size of the tiny allocator's block (= `_TinySize`). */
  readonly maxTinySize: number;
  /** The size class of tiny blocks (= `_TinySizeClass`). */
  readonly tinySizeClass: number;
  /** Largest object served by size classes (32 KiB). */
  readonly maxSmallSize: number;
  /** Runtime page size, `1 << pageShift` (8 KiB). */
  readonly pageSize: number;
  /** Same as `pageSize`. */
  readonly _PageSize: number;
  /** 1 when pointers are 8 bytes, else 0. */
  readonly _64bit: number;
  /** Tiny allocator block size in bytes. */
  readonly _TinySize: number;
  /** Size class used for tiny blocks. */
  readonly _TinySizeClass: number;
  /** Bytes fixalloc obtains from persistentalloc at a time. */
  readonly _FixAllocChunk: number;
  /** Per-P stack cache size per order. */
  readonly _StackCacheSize: number;
  /** Number of stack orders cached per P. */
  readonly _NumStackOrders: number;
  /** Number of bits of a heap address (48 on most 64-bit ports). */
  readonly heapAddrBits: number;
  /** Largest allocation: 2^heapAddrBits, minus 1 on 32-bit ports. */
  readonly maxAlloc: number;
  /** Size of one heap arena (64 MiB on 64-bit non-Windows). */
  readonly heapArenaBytes: number;
  /** log2(heapArenaBytes). */
  readonly logHeapArenaBytes: number;
  /** Runtime pages per arena. */
  readonly pagesPerArena: number;
  /** Bits of an arena number indexing the L1 arena map (6 on 64-bit Windows, else 0). */
  readonly arenaL1Bits: number;
  /** Bits of an arena number indexing an L2 arena map. */
  readonly arenaL2Bits: number;
  /** Shift from an arena number to its L1 index (= arenaL2Bits). */
  readonly arenaL1Shift: number;
  /** Total bits of an arena index (arenaL1Bits + arenaL2Bits). */
  readonly arenaBits: number;
  /**
   * The address that maps to arena index 0: 0xffff800000000000 on amd64 (a
   * bigint), 0x0a00000000000000 on aix/ppc64 (a bigint), 0 elsewhere. For
   * address math with plain numbers use the profile's `arenaBaseOffsetAdd`.
   */
  readonly arenaBaseOffset: number | bigint;
  /** `uintptr(arenaBaseOffset)`: the same value, typed in Go. */
  readonly arenaBaseOffsetUintptr: number | bigint;
  /** Smallest address that can hold a Go pointer (4096). */
  readonly minLegalPointer: number;
  /** Bytes persistentalloc obtains from the OS at a time. */
  readonly persistentChunkSize: number;

  // runtime/mheap.go
  /** Lower bound on the physical page size. */
  readonly minPhysPageSize: number;
  /** Upper bound on the physical page size the runtime supports. */
  readonly maxPhysPageSize: number;
  /** Upper bound on the huge page size the runtime supports (= pallocChunkBytes). */
  readonly maxPhysHugePageSize: number;
  /** Pages the page reclaimer scans at a time. */
  readonly pagesPerReclaimerChunk: number;
  /** True where stacks must be physical-page aligned (openbsd). */
  readonly physPageAlignedStacks: boolean;
  /** Number of span classes: two per size class (scan and noscan). */
  readonly numSpanClasses: number;
  /** The span class of tiny blocks: `tinySizeClass<<1 | 1`. */
  readonly tinySpanClass: number;
  /** Bytes of one gcBits arena. */
  readonly gcBitsChunkBytes: number;
  /** Size of a gcBits arena header (two uintptrs). */
  readonly gcBitsHeaderBytes: number;

  // runtime/mpagealloc.go
  /** Pages per page-allocator chunk (512; 64 on wasm in Go 1.26). */
  readonly pallocChunkPages: number;
  /** Bytes per page-allocator chunk. */
  readonly pallocChunkBytes: number;
  /** log2(pallocChunkPages). */
  readonly logPallocChunkPages: number;
  /** log2(pallocChunkBytes). */
  readonly logPallocChunkBytes: number;
  /** Bits of address each summary level below the root adds. */
  readonly summaryLevelBits: number;
  /** Bits of address covered by the root summary level. */
  readonly summaryL0Bits: number;
  /** Bits of a chunk index covered by the L2 chunk map. */
  readonly pallocChunksL2Bits: number;
  /** Shift from a chunk index to its L1 index (= pallocChunksL2Bits). */
  readonly pallocChunksL1Shift: number;
  /** Bytes of one packed summary (a uint64). */
  readonly pallocSumBytes: number;
  /** Largest value a packed summary field can hold. */
  readonly maxPackedValue: number;
  /** log2(maxPackedValue). */
  readonly logMaxPackedValue: number;
  /** The packed summary of a completely free chunk. */
  readonly freeChunkSum: number;

  // runtime/mpagealloc_32bit.go or mpagealloc_64bit.go
  /** Levels of the page allocator's radix tree of summaries (5 on 64-bit, 4 on 32-bit and wasm). */
  readonly summaryLevels: number;
  /** 1 when the 32-bit page allocator is used. */
  readonly pageAlloc32Bit: number;
  /** 1 when the 64-bit page allocator is used. */
  readonly pageAlloc64Bit: number;
  /** Bits of a chunk index covered by the L1 chunk map. */
  readonly pallocChunksL1Bits: number;
  /** Address bits covered by each summary level (Go's `levelBits` array). */
  readonly levelBits: readonly number[];
  /** Shift from an address to its summary index at each level (Go's `levelShift` array). */
  readonly levelShift: readonly number[];
  /** log2 of the pages one summary covers at each level (Go's `levelLogPages` array). */
  readonly levelLogPages: readonly number[];

  // runtime/mpagecache.go
  /** Pages one pageCache covers (one bit each in a uint64). */
  readonly pageCachePages: number;

  // runtime/mspanset.go
  /** Span pointers per spanSet block. */
  readonly spanSetBlockEntries: number;
  /** Initial spine capacity of a spanSet. */
  readonly spanSetInitSpineCap: number;

  // runtime/mgcscavenge.go
  /** Percent of a CPU the background scavenger aims to use. */
  readonly scavengePercent: number;
  /** Percent of extra heap the scavenger retains above the goal. */
  readonly retainExtraPercent: number;
  /** Percent below the memory limit the scavenger aims for. */
  readonly reduceExtraPercent: number;
  /** Runtime pages per largest physical page. */
  readonly maxPagesPerPhysPage: number;
  /** Scavenging cost relative to allocation (0.7 on darwin and ios, else 0). */
  readonly scavengeCostRatio: number;
}

/**
 * Constants named as in Go 1.19. Go 1.26 renamed them (the size-class
 * scalars moved to internal/runtime/gc with exported names; the stack sizes
 * lost their underscore); on a 1.26 profile these fields are aliases of the
 * 1.26 names given in {@link go126Aliases}.
 */
export interface RenamedConstants {
  /** Largest small object size (1.26: `gc.MaxSmallSize`). */
  readonly _MaxSmallSize: number;
  /** Size granularity of the first size→class table (1.26: `gc.SmallSizeDiv`). */
  readonly smallSizeDiv: number;
  /** Largest size served by the first size→class table (1.26: `gc.SmallSizeMax`). */
  readonly smallSizeMax: number;
  /** Size granularity of the second size→class table (1.26: `gc.LargeSizeDiv`). */
  readonly largeSizeDiv: number;
  /** Number of size classes, including class 0 (1.26: `gc.NumSizeClasses`). */
  readonly _NumSizeClasses: number;
  /** log2 of the runtime page size (1.26: `gc.PageShift`). */
  readonly _PageShift: number;
  /** Extra stack bytes the OS needs below the guard (1.26: `stackSystem`). */
  readonly _StackSystem: number;
  /** Minimum stack size Go code uses (1.26: `stackMin`). */
  readonly _StackMin: number;
  /** Smallest stack allocated: `_StackMin + _StackSystem` rounded up to a power of 2 (1.26: `fixedStack`). */
  readonly _FixedStack: number;
}

/** Constants only Go 1.19 declares. */
export interface Go119OnlyConstants {
  /** Same as `_PageShift` (runtime/malloc.go). */
  readonly pageShift: number;
  /** `_PageSize - 1`. */
  readonly _PageMask: number;
  /** Bytes of an arena's heap bitmap: 2 bits per pointer-sized word. */
  readonly heapArenaBitmapBytes: number;
  /** Heap bitmap: the pointer bit of a word's nibble pair. */
  readonly bitPointer: number;
  /** Heap bitmap: the scan bit of a word's nibble pair. */
  readonly bitScan: number;
  /** Heap bitmap: shift between successive words' bits in a byte. */
  readonly heapBitsShift: number;
  /** Heap bitmap: heap words described by one bitmap byte. */
  readonly wordsPerBitmapByte: number;
  /** Heap bitmap: every scan bit of a byte. */
  readonly bitScanAll: number;
  /** Heap bitmap: every pointer bit of a byte. */
  readonly bitPointerAll: number;
}

/** Constants only Go 1.26 declares. */
export interface Go126OnlyConstants {
  /** `PtrSize * 8` (internal/goarch). */
  readonly PtrBits: number;
  /** Minimum heap object alignment (internal/runtime/gc/sizeclasses.go). */
  readonly MinHeapAlign: number;
  /** Largest small object size (internal/runtime/gc). */
  readonly MaxSmallSize: number;
  /** Size granularity of SizeToSizeClass8 (internal/runtime/gc). */
  readonly SmallSizeDiv: number;
  /** Largest size served by SizeToSizeClass8 (internal/runtime/gc). */
  readonly SmallSizeMax: number;
  /** Size granularity of SizeToSizeClass128 (internal/runtime/gc). */
  readonly LargeSizeDiv: number;
  /** Number of size classes, including class 0 (internal/runtime/gc). */
  readonly NumSizeClasses: number;
  /** log2 of the runtime page size (internal/runtime/gc). */
  readonly PageShift: number;
  /** Most objects a small span holds (internal/runtime/gc). */
  readonly MaxObjsPerSpan: number;
  /** Most pages a small size class's span uses (internal/runtime/gc). */
  readonly MaxSizeClassNPages: number;
  /** Tiny allocator block size (internal/runtime/gc). */
  readonly TinySize: number;
  /** Size class of tiny blocks (internal/runtime/gc). */
  readonly TinySizeClass: number;
  /** Pointer-sized words per page (internal/runtime/gc/malloc.go). */
  readonly PageWords: number;
  /** Bytes of the malloc header of objects with pointers too big for span-inline bitmaps. */
  readonly MallocHeaderSize: number;
  /** Smallest object size that carries a malloc header: `PtrSize * PtrBits`. */
  readonly MinSizeForMallocHeader: number;
  /** `1 << PageShift` (internal/runtime/gc/malloc.go). */
  readonly PageSize: number;
  /** `pageSize - 1` (runtime/malloc.go). */
  readonly pageMask: number;
  /** = `gc.MinSizeForMallocHeader` (runtime/malloc.go). */
  readonly minSizeForMallocHeader: number;
  /** = `gc.MallocHeaderSize` (runtime/malloc.go). */
  readonly mallocHeaderSize: number;
  /** Pointer-sized words per arena. */
  readonly heapArenaWords: number;
  /** Words of an arena's heap bitmap: one bit per word. */
  readonly heapArenaBitmapWords: number;
  /** Extra stack bytes the OS needs below the guard (runtime/stack.go). */
  readonly stackSystem: number;
  /** Minimum stack size Go code uses (runtime/stack.go). */
  readonly stackMin: number;
  /** Smallest stack allocated, a power of 2 (runtime/stack.go). */
  readonly fixedStack: number;
  /** Bits in a pointer-sized bitmap word (runtime/mbitmap.go). */
  readonly ptrBits: number;
  /** Occupancy fraction above which a chunk counts as dense for the scavenger. */
  readonly scavChunkHiOccFrac: number;
  /** `uint16(scavChunkHiOccFrac * pallocChunkPages)`. */
  readonly scavChunkHiOccPages: number;
  /** Bits of flags in a scavenger chunk record. */
  readonly scavChunkMaxFlags: number;
  /** Mask of those flag bits. */
  readonly scavChunkFlagsMask: number;
  /** log2 of the largest in-use page count a scavenger chunk record holds. */
  readonly logScavChunkInUseMax: number;
  /** Mask of the in-use page count. */
  readonly scavChunkInUseMask: number;
}

/** Every constant of a Go 1.19 profile. */
export interface Go119Constants extends CommonConstants, RenamedConstants, Go119OnlyConstants {}

/** Every constant of a Go 1.26 profile (the {@link RenamedConstants} are aliases). */
export interface Go126Constants extends CommonConstants, RenamedConstants, Go126OnlyConstants {}

/** Go 1.26's name for each {@link RenamedConstants} field. */
export const go126Aliases: Readonly<Record<keyof RenamedConstants, keyof Go126OnlyConstants>> = Object.freeze({
  _MaxSmallSize: "MaxSmallSize",
  smallSizeDiv: "SmallSizeDiv",
  smallSizeMax: "SmallSizeMax",
  largeSizeDiv: "LargeSizeDiv",
  _NumSizeClasses: "NumSizeClasses",
  _PageShift: "PageShift",
  _StackSystem: "stackSystem",
  _StackMin: "stackMin",
  _FixedStack: "fixedStack",
});
