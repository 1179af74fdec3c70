//go:build gomalloc_vectors

// Extra test-only hooks for the gomalloc vector generator. This file is not
// part of any package on disk: govectors passes it to `go test -overlay` as a
// file of package runtime, next to the runtime's own export_test.go, so the
// vectors come from the runtime's real code.

package runtime

import (
	"internal/runtime/gc"
	"unsafe"
)

// GomallocSummary returns the packed summary p.summary[level][idx].
func (p *PageAlloc) GomallocSummary(level, idx int) uint64 {
	return uint64((*pageAlloc)(p).summary[level][idx])
}

// GomallocSearchAddr returns p.searchAddr as a virtual address.
func (p *PageAlloc) GomallocSearchAddr() uintptr {
	return (*pageAlloc)(p).searchAddr.addr()
}

// GomallocLevels returns summaryLevels, levelShift and levelBits.
func GomallocLevels() (int, []uint, []uint) {
	return summaryLevels, levelShift[:], levelBits[:]
}

// GomallocGeometry returns the page allocator constants of this GOARCH.
func GomallocGeometry() (int, int, int, int, uintptr) {
	return gc.PageShift, heapAddrBits, logPallocChunkPages, pallocChunksL1Bits, arenaBaseOffset
}

// GomallocNumSizeClasses returns the number of size classes (class 0 included).
func GomallocNumSizeClasses() int { return gc.NumSizeClasses }

// GomallocSpan is an mspan initialised for one size class, with alloc and
// mark bitmaps held in Go slices.
type GomallocSpan struct {
	s           *mspan
	alloc, mark []byte
}

// GomallocNewSpan initialises an mspan at base for sizeclass the way
// mheap.initSpan does for a noscan span.
func GomallocNewSpan(sizeclass int, base uintptr) *GomallocSpan {
	s := (*mspan)(AllocMSpan())
	npages := uintptr(gc.SizeClassToNPages[sizeclass])
	s.init(base, npages)
	s.spanclass = makeSpanClass(uint8(sizeclass), true)
	s.elemsize = uintptr(gc.SizeClassToSize[sizeclass])
	s.nelems = uint16(npages * pageSize / s.elemsize)
	s.divMul = gc.SizeClassToDivMagic[sizeclass]
	s.freeindex = 0
	s.allocCache = ^uint64(0)
	n := (uintptr(s.nelems) + 63) / 64 * 8
	g := &GomallocSpan{s: s, alloc: make([]byte, n), mark: make([]byte, n)}
	s.allocBits = (*gcBits)(unsafe.Pointer(&g.alloc[0]))
	s.gcmarkBits = (*gcBits)(unsafe.Pointer(&g.mark[0]))
	s.limit = base + s.elemsize*uintptr(s.nelems)
	s.state.set(mSpanInUse)
	return g
}

// Free releases the mspan.
func (g *GomallocSpan) Free() {
	g.s.allocBits = nil
	g.s.gcmarkBits = nil
	FreeMSpan((*MSpan)(g.s))
}

// NextFree allocates one object as mallocgc's small path does: nextFreeFast,
// then nextFreeIndex. Returns 0 when the span is full.
func (g *GomallocSpan) NextFree() uintptr {
	s := g.s
	if v := nextFreeFast(s); v != 0 {
		return uintptr(v)
	}
	idx := s.nextFreeIndex()
	if idx == s.nelems {
		return 0
	}
	s.allocCount++
	return uintptr(idx)*s.elemsize + s.base()
}

// State returns freeindex, allocCache and allocCount.
func (g *GomallocSpan) State() (uint16, uint64, uint16) {
	return g.s.freeindex, g.s.allocCache, g.s.allocCount
}

// Nelems returns nelems, elemsize, divMul and npages.
func (g *GomallocSpan) Nelems() (uint16, uintptr, uint32, uintptr) {
	return g.s.nelems, g.s.elemsize, g.s.divMul, g.s.npages
}

// AllocBits returns a copy of the alloc bitmap.
func (g *GomallocSpan) AllocBits() []byte { return append([]byte(nil), g.alloc...) }

// ObjIndex is mspan.objIndex.
func (g *GomallocSpan) ObjIndex(p uintptr) uintptr { return g.s.objIndex(p) }

// IsFree is mspan.isFree.
func (g *GomallocSpan) IsFree(i uintptr) bool { return g.s.isFree(i) }

// Sweep runs the part of mspan.sweep that turns marks into alloc bits:
// allocCount from countAlloc, freeindex reset, allocBits = gcmarkBits, fresh
// mark bits, refillAllocCache(0). Returns nalloc.
func (g *GomallocSpan) Sweep(marks []byte) int {
	s := g.s
	copy(g.mark, marks)
	nalloc := uint16(s.countAlloc())
	s.allocCount = nalloc
	s.freeindex = 0
	g.alloc, g.mark = g.mark, g.alloc
	clear(g.mark)
	s.allocBits = (*gcBits)(unsafe.Pointer(&g.alloc[0]))
	s.gcmarkBits = (*gcBits)(unsafe.Pointer(&g.mark[0]))
	s.refillAllocCache(0)
	return int(nalloc)
}
