package main

// The constants this program extracts, by Go package and Go version. Each
// name is Go's own identifier, looked up in the scope of the package it is
// declared in; the JSON key is that bare identifier. A name listed for a
// version must exist there (the program fails otherwise), so a rename in a
// new Go release shows up as an error rather than a silently missing key.
//
// Names whose value is an array (a package-level var with a composite
// literal of constants) are marked array; every element is evaluated with
// go/constant.

// A want is one constant (or constant array) to extract.
type want struct {
	name     string
	pkg      string // import path of the declaring package
	versions string // "both", "1.19" or "1.26"
	array    bool   // a var holding an array literal of constants
}

const (
	pkgRuntime = "runtime"
	pkgGoarch  = "internal/goarch"
	pkgGC126   = "internal/runtime/gc"
)

func w(versions, pkg string, names ...string) []want {
	out := make([]want, 0, len(names))
	for _, n := range names {
		out = append(out, want{name: n, pkg: pkg, versions: versions})
	}
	return out
}

func arrays(versions, pkg string, names ...string) []want {
	out := w(versions, pkg, names...)
	for i := range out {
		out[i].array = true
	}
	return out
}

// wants lists every extracted constant in output order: grouped by the Go
// file that declares it.
var wants = concat(
	// internal/goarch (goarch.go and goarch_$GOARCH.go)
	w("both", pkgGoarch, "PtrSize"),
	w("1.26", pkgGoarch, "PtrBits"),
	w("both", pkgGoarch, "BigEndian", "DefaultPhysPageSize", "PCQuantum", "Int64Align", "MinFrameSize", "StackAlign"),

	// size-class scalars (runtime/sizeclasses.go in 1.19; internal/runtime/gc in 1.26)
	w("1.19", pkgRuntime, "_MaxSmallSize", "smallSizeDiv", "smallSizeMax", "largeSizeDiv", "_NumSizeClasses", "_PageShift"),
	w("1.26", pkgGC126, "MinHeapAlign", "MaxSmallSize", "SmallSizeDiv", "SmallSizeMax", "LargeSizeDiv",
		"NumSizeClasses", "PageShift", "MaxObjsPerSpan", "MaxSizeClassNPages", "TinySize", "TinySizeClass"),
	// internal/runtime/gc/malloc.go (1.26)
	w("1.26", pkgGC126, "PageWords", "MallocHeaderSize", "MinSizeForMallocHeader", "PageSize"),

	// runtime/malloc.go
	w("both", pkgRuntime, "maxTinySize", "tinySizeClass", "maxSmallSize"),
	w("1.19", pkgRuntime, "pageShift"),
	w("both", pkgRuntime, "pageSize"),
	w("1.19", pkgRuntime, "_PageSize", "_PageMask"),
	w("1.26", pkgRuntime, "pageMask", "_PageSize", "minSizeForMallocHeader", "mallocHeaderSize"),
	w("both", pkgRuntime, "_64bit", "_TinySize", "_TinySizeClass", "_FixAllocChunk", "_StackCacheSize",
		"_NumStackOrders", "heapAddrBits", "maxAlloc", "heapArenaBytes"),
	w("1.26", pkgRuntime, "heapArenaWords"),
	w("both", pkgRuntime, "logHeapArenaBytes"),
	w("1.19", pkgRuntime, "heapArenaBitmapBytes"),
	w("1.26", pkgRuntime, "heapArenaBitmapWords"),
	w("both", pkgRuntime, "pagesPerArena", "arenaL1Bits", "arenaL2Bits", "arenaL1Shift", "arenaBits",
		"arenaBaseOffset", "arenaBaseOffsetUintptr", "minLegalPointer", "persistentChunkSize"),

	// runtime/stack.go
	w("1.19", pkgRuntime, "_StackSystem", "_StackMin", "_FixedStack"),
	w("1.26", pkgRuntime, "stackSystem", "stackMin", "fixedStack"),

	// runtime/mbitmap.go
	w("1.19", pkgRuntime, "bitPointer", "bitScan", "heapBitsShift", "wordsPerBitmapByte", "bitScanAll", "bitPointerAll"),
	w("1.26", pkgRuntime, "ptrBits"),

	// runtime/mheap.go
	w("both", pkgRuntime, "minPhysPageSize", "maxPhysPageSize", "maxPhysHugePageSize", "pagesPerReclaimerChunk",
		"physPageAlignedStacks", "numSpanClasses", "tinySpanClass", "gcBitsChunkBytes", "gcBitsHeaderBytes"),

	// runtime/mpagealloc.go
	w("both", pkgRuntime, "pallocChunkPages", "pallocChunkBytes", "logPallocChunkPages", "logPallocChunkBytes",
		"summaryLevelBits", "summaryL0Bits", "pallocChunksL2Bits", "pallocChunksL1Shift", "pallocSumBytes",
		"maxPackedValue", "logMaxPackedValue", "freeChunkSum"),

	// runtime/mpagealloc_32bit.go or mpagealloc_64bit.go
	w("both", pkgRuntime, "summaryLevels", "pageAlloc32Bit", "pageAlloc64Bit", "pallocChunksL1Bits"),
	arrays("both", pkgRuntime, "levelBits", "levelShift", "levelLogPages"),

	// runtime/mpagecache.go
	w("both", pkgRuntime, "pageCachePages"),

	// runtime/mspanset.go
	w("both", pkgRuntime, "spanSetBlockEntries", "spanSetInitSpineCap"),

	// runtime/mgcscavenge.go
	w("both", pkgRuntime, "scavengePercent", "retainExtraPercent", "reduceExtraPercent", "maxPagesPerPhysPage",
		"scavengeCostRatio"),
	w("1.26", pkgRuntime, "scavChunkHiOccFrac", "scavChunkHiOccPages", "scavChunkMaxFlags", "scavChunkFlagsMask",
		"logScavChunkInUseMax", "scavChunkInUseMask"),
)

func concat(groups ...[]want) []want {
	var out []want
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// wantsFor returns the constants to extract for a Go release "1.N". For a
// release other than 1.19 and 1.26 every listed name is tried and missing
// ones are skipped (required=false).
func wantsFor(release string) (list []want, required bool) {
	known := release == "1.19" || release == "1.26"
	seen := map[string]bool{}
	for _, c := range wants {
		if known && c.versions != "both" && c.versions != release {
			continue
		}
		if !known && seen[c.name] {
			continue
		}
		seen[c.name] = true
		list = append(list, c)
	}
	return list, known
}

// sizeClassPackage is the package whose sizeclasses.go holds Go's generated
// size-class tables in a release.
func sizeClassPackage(release string) string {
	if release == "1.19" {
		return pkgRuntime
	}
	return pkgGC126
}
