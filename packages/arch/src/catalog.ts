/**
 * The catalogue of constants per Go version: every name in fixture order
 * (grouped by the Go file that declares it), with its package and file(s).
 * It is the generic side of a profile: name → value lookups, JSON output and
 * the Go correspondence table all read it. See docs/design.md, "Layers".
 */
import type { Go119Constants, Go126Constants } from "./constants.js";
import { go126Aliases } from "./constants.js";
import { checkGoVersion, type GoVersion } from "./versions.js";

/** Where Go declares one constant. */
export interface ConstantInfo {
  /** Go's identifier, the key in profiles and JSON. */
  readonly name: string;
  /** Import path of the declaring package (`runtime`, `internal/goarch`, `internal/runtime/gc`). */
  readonly goPackage: string;
  /**
   * The file(s) under GOROOT/src declaring it; two when the declaration
   * depends on the port (mpagealloc_32bit.go / mpagealloc_64bit.go).
   */
  readonly goFiles: readonly string[];
}

type Group<K extends string> = readonly [pkg: string, files: string | readonly string[], names: readonly K[]];

const mpageallocBits = ["runtime/mpagealloc_32bit.go", "runtime/mpagealloc_64bit.go"] as const;

const go119Groups: readonly Group<keyof Go119Constants>[] = [
  [
    "internal/goarch",
    "internal/goarch/goarch.go",
    ["PtrSize", "BigEndian", "DefaultPhysPageSize", "PCQuantum", "Int64Align", "MinFrameSize", "StackAlign"],
  ],
  [
    "runtime",
    "runtime/sizeclasses.go",
    ["_MaxSmallSize", "smallSizeDiv", "smallSizeMax", "largeSizeDiv", "_NumSizeClasses", "_PageShift"],
  ],
  [
    "runtime",
    "runtime/malloc.go",
    [
      "maxTinySize",
      "tinySizeClass",
      "maxSmallSize",
      "pageShift",
      "pageSize",
      "_PageSize",
      "_PageMask",
      "_64bit",
      "_TinySize",
      "_TinySizeClass",
      "_FixAllocChunk",
      "_StackCacheSize",
      "_NumStackOrders",
      "heapAddrBits",
      "maxAlloc",
      "heapArenaBytes",
      "logHeapArenaBytes",
      "heapArenaBitmapBytes",
      "pagesPerArena",
      "arenaL1Bits",
      "arenaL2Bits",
      "arenaL1Shift",
      "arenaBits",
      "arenaBaseOffset",
      "arenaBaseOffsetUintptr",
      "minLegalPointer",
      "persistentChunkSize",
    ],
  ],
  ["runtime", "runtime/stack.go", ["_StackSystem", "_StackMin", "_FixedStack"]],
  [
    "runtime",
    "runtime/mbitmap.go",
    ["bitPointer", "bitScan", "heapBitsShift", "wordsPerBitmapByte", "bitScanAll", "bitPointerAll"],
  ],
  [
    "runtime",
    "runtime/mheap.go",
    [
      "minPhysPageSize",
      "maxPhysPageSize",
      "maxPhysHugePageSize",
      "pagesPerReclaimerChunk",
      "physPageAlignedStacks",
      "numSpanClasses",
      "tinySpanClass",
      "gcBitsChunkBytes",
      "gcBitsHeaderBytes",
    ],
  ],
  [
    "runtime",
    "runtime/mpagealloc.go",
    [
      "pallocChunkPages",
      "pallocChunkBytes",
      "logPallocChunkPages",
      "logPallocChunkBytes",
      "summaryLevelBits",
      "summaryL0Bits",
      "pallocChunksL2Bits",
      "pallocChunksL1Shift",
      "pallocSumBytes",
      "maxPackedValue",
      "logMaxPackedValue",
      "freeChunkSum",
    ],
  ],
  [
    "runtime",
    mpageallocBits,
    [
      "summaryLevels",
      "pageAlloc32Bit",
      "pageAlloc64Bit",
      "pallocChunksL1Bits",
      "levelBits",
      "levelShift",
      "levelLogPages",
    ],
  ],
  ["runtime", "runtime/mpagecache.go", ["pageCachePages"]],
  ["runtime", "runtime/mspanset.go", ["spanSetBlockEntries", "spanSetInitSpineCap"]],
  [
    "runtime",
    "runtime/mgcscavenge.go",
    ["scavengePercent", "retainExtraPercent", "reduceExtraPercent", "maxPagesPerPhysPage", "scavengeCostRatio"],
  ],
];

const go126Groups: readonly Group<keyof Go126Constants>[] = [
  [
    "internal/goarch",
    "internal/goarch/goarch.go",
    ["PtrSize", "PtrBits", "BigEndian", "DefaultPhysPageSize", "PCQuantum", "Int64Align", "MinFrameSize", "StackAlign"],
  ],
  [
    "internal/runtime/gc",
    "internal/runtime/gc/sizeclasses.go",
    [
      "MinHeapAlign",
      "MaxSmallSize",
      "SmallSizeDiv",
      "SmallSizeMax",
      "LargeSizeDiv",
      "NumSizeClasses",
      "PageShift",
      "MaxObjsPerSpan",
      "MaxSizeClassNPages",
      "TinySize",
      "TinySizeClass",
    ],
  ],
  [
    "internal/runtime/gc",
    "internal/runtime/gc/malloc.go",
    ["PageWords", "MallocHeaderSize", "MinSizeForMallocHeader", "PageSize"],
  ],
  [
    "runtime",
    "runtime/malloc.go",
    [
      "maxTinySize",
      "tinySizeClass",
      "maxSmallSize",
      "pageSize",
      "pageMask",
      "_PageSize",
      "minSizeForMallocHeader",
      "mallocHeaderSize",
      "_64bit",
      "_TinySize",
      "_TinySizeClass",
      "_FixAllocChunk",
      "_StackCacheSize",
      "_NumStackOrders",
      "heapAddrBits",
      "maxAlloc",
      "heapArenaBytes",
      "heapArenaWords",
      "logHeapArenaBytes",
      "heapArenaBitmapWords",
      "pagesPerArena",
      "arenaL1Bits",
      "arenaL2Bits",
      "arenaL1Shift",
      "arenaBits",
      "arenaBaseOffset",
      "arenaBaseOffsetUintptr",
      "minLegalPointer",
      "persistentChunkSize",
    ],
  ],
  ["runtime", "runtime/stack.go", ["stackSystem", "stackMin", "fixedStack"]],
  ["runtime", "runtime/mbitmap.go", ["ptrBits"]],
  [
    "runtime",
    "runtime/mheap.go",
    [
      "minPhysPageSize",
      "maxPhysPageSize",
      "maxPhysHugePageSize",
      "pagesPerReclaimerChunk",
      "physPageAlignedStacks",
      "numSpanClasses",
      "tinySpanClass",
      "gcBitsChunkBytes",
      "gcBitsHeaderBytes",
    ],
  ],
  [
    "runtime",
    "runtime/mpagealloc.go",
    [
      "pallocChunkPages",
      "pallocChunkBytes",
      "logPallocChunkPages",
      "logPallocChunkBytes",
      "summaryLevelBits",
      "summaryL0Bits",
      "pallocChunksL2Bits",
      "pallocChunksL1Shift",
      "pallocSumBytes",
      "maxPackedValue",
      "logMaxPackedValue",
      "freeChunkSum",
    ],
  ],
  [
    "runtime",
    mpageallocBits,
    [
      "summaryLevels",
      "pageAlloc32Bit",
      "pageAlloc64Bit",
      "pallocChunksL1Bits",
      "levelBits",
      "levelShift",
      "levelLogPages",
    ],
  ],
  ["runtime", "runtime/mpagecache.go", ["pageCachePages"]],
  ["runtime", "runtime/mspanset.go", ["spanSetBlockEntries", "spanSetInitSpineCap"]],
  [
    "runtime",
    "runtime/mgcscavenge.go",
    [
      "scavengePercent",
      "retainExtraPercent",
      "reduceExtraPercent",
      "maxPagesPerPhysPage",
      "scavengeCostRatio",
      "scavChunkHiOccFrac",
      "scavChunkHiOccPages",
      "scavChunkMaxFlags",
      "scavChunkFlagsMask",
      "logScavChunkInUseMax",
      "scavChunkInUseMask",
    ],
  ],
];

function flatten(groups: readonly Group<string>[]): readonly ConstantInfo[] {
  const out: ConstantInfo[] = [];
  for (const [goPackage, files, names] of groups) {
    const goFiles = Object.freeze(typeof files === "string" ? [files] : [...files]);
    for (const name of names) out.push(Object.freeze({ name, goPackage, goFiles }));
  }
  return Object.freeze(out);
}

const catalog: Readonly<Record<GoVersion, readonly ConstantInfo[]>> = {
  "1.19": flatten(go119Groups),
  "1.26": flatten(go126Groups),
};

const names: Readonly<Record<GoVersion, readonly string[]>> = {
  "1.19": Object.freeze(catalog["1.19"].map((c) => c.name)),
  "1.26": Object.freeze(catalog["1.26"].map((c) => c.name)),
};

const byName: Readonly<Record<GoVersion, ReadonlyMap<string, ConstantInfo>>> = {
  "1.19": new Map(catalog["1.19"].map((c) => [c.name, c])),
  "1.26": new Map(catalog["1.26"].map((c) => [c.name, c])),
};

/** Every constant of a version with where Go declares it, in fixture order. */
export function constantCatalog(version: GoVersion): readonly ConstantInfo[] {
  return catalog[checkGoVersion(version)];
}

/** Go's identifiers of every constant of a version, in fixture order (no aliases). */
export function constantNamesOf(version: GoVersion): readonly string[] {
  return names[checkGoVersion(version)];
}

/**
 * Resolves a name to the Go identifier that holds its value in `version`:
 * the name itself, or for a Go 1.19 name on a 1.26 profile, Go 1.26's name
 * (`_PageShift` → `PageShift`). Returns undefined for an unknown name;
 * throws UnknownGoVersionError for a version other than {@link goVersions}
 * (as every function here that takes a `GoVersion`).
 */
export function resolveConstantName(version: GoVersion, name: string): string | undefined {
  if (byName[checkGoVersion(version)].has(name)) return name;
  if (version === "1.26" && Object.hasOwn(go126Aliases, name)) {
    return go126Aliases[name as keyof typeof go126Aliases];
  }
  return undefined;
}

/** Where Go declares `name` in `version` (aliases resolved), or undefined. */
export function constantInfoOf(version: GoVersion, name: string): ConstantInfo | undefined {
  const goName = resolveConstantName(version, name);
  return goName === undefined ? undefined : byName[version].get(goName);
}
