//go:build gomalloc_vectors

// The gomalloc vector generator's test: run by govectors through
// `go test -overlay` inside package runtime_test, it drives the runtime's own
// page allocator, pallocBits and mspan code (through export_test.go and
// export_gomalloc.go) on fixed and seeded-random inputs and prints the results
// as one JSON line. Nothing here reimplements runtime logic except the
// explicit-free rule of gomalloc (the marks handed to Sweep).

package runtime_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	. "runtime"
	"sort"
	"testing"
)

type jsonU64 uint64

func (v jsonU64) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf("\"%016x\"", uint64(v))), nil
}

type geometry struct {
	GOOS, GOARCH       string
	GoVersion          string
	PageShift          int
	HeapAddrBits       int
	LogChunkPages      int
	SummaryLevels      int
	L1Bits             int
	ArenaBaseOffsetAdd uint64
	PhysPageSize       uint64
	PhysHugePageSize   uint64
	BaseChunkIdx       uint64
	PallocChunkPages   int
}

type bitsVec struct {
	Words  []jsonU64
	Sum    jsonU64
	Start  uint
	Max    uint
	End    uint
	Finds  [][4]int64 // npages, searchIdx, index, newSearchIdx
	Popcnt [][3]uint
}

type scavVec struct {
	Alloc, Scav []jsonU64
	Cases       [][5]uint64 // searchIdx, min, max, start, size
}

// An op is one call and its results, as a JSON array:
//
//	["a", npages, addr, scav, searchAddr]               Alloc
//	["f", base, npages, searchAddr]                     Free
//	["c", base, cache, scav, searchAddr]                AllocToCache
//	["ca", npages, addr, scav, cache, scav, searchAddr] PageCache.Alloc
//	["fl", searchAddr]                                  PageCache.Flush
//	["s", nbytes, released, searchAddr]                 Scavenge (forced)
type op []any

type chunkState struct {
	Alloc, Scav []jsonU64
}

type scenario struct {
	Name   string
	Chunks map[string][][2]uint
	Scav   map[string][][2]uint `json:",omitempty"`
	NoScav bool
	Ops    []op
	Final  map[string]chunkState
	Sums   [][2]uint64 // level, index
	SumHex []jsonU64   // the packed summary at Sums[i]
	InUse  [][2]uint64
	Search uint64
}

// A spanStep is [object index or -1, freeindex, allocCache low, allocCache high, allocCount].
type spanStep [5]int64

type spanRound struct {
	Freed      []int // object indexes freed before this round's sweep (nil for the first round)
	Nalloc     int   // sweep's nalloc
	AfterSweep spanStep
	Steps      []spanStep
}

type spanVec struct {
	Class    int
	Base     uint64
	Npages   uint64
	Nelems   uint16
	Elemsize uint64
	DivMul   uint32
	ObjIndex [][2]uint64
	Rounds   []spanRound
}

type vectors struct {
	Geometry     geometry
	PallocBits   []bitsVec
	FindBitRange [][3]any // x (hex), n, result
	FillAligned  [][3]any // x (hex), m, result (hex)
	ScavCand     []scavVec
	PageAlloc    []scenario
	Spans        []spanVec `json:",omitempty"`
}

func words(b *PallocBits) []jsonU64 {
	out := make([]jsonU64, len(b))
	for i := range b {
		out[i] = jsonU64(b[i])
	}
	return out
}

func randomBits(r *rand.Rand, b *PallocBits) {
	n := uint(len(b) * 64)
	for i := range b {
		b[i] = 0
	}
	switch r.Intn(4) {
	case 0: // uniform
		for i := range b {
			b[i] = r.Uint64()
		}
	default: // runs of ones and zeros with varied lengths
		maxRun := []uint{3, 40, 300}[r.Intn(3)]
		for i := uint(0); i < n; {
			l := uint(r.Intn(int(maxRun))) + 1
			if i+l > n {
				l = n - i
			}
			if r.Intn(2) == 0 {
				b.AllocRange(i, l)
			}
			i += l
		}
	}
}

func pallocBitsVectors(r *rand.Rand) []bitsVec {
	var out []bitsVec
	pages := uint(PallocChunkPages)
	npagesList := []uint{1, 2, 3, 5, 8, 31, 33, 64, 65, 100, 300, 512}
	add := func(b *PallocBits) {
		s := b.Summarize()
		v := bitsVec{Words: words(b), Sum: jsonU64(s), Start: s.Start(), Max: s.Max(), End: s.End()}
		for _, np := range npagesList {
			if np > pages {
				continue
			}
			for _, si := range []uint{0, uint(r.Intn(int(pages)))} {
				i, ns := b.Find(uintptr(np), si)
				v.Finds = append(v.Finds, [4]int64{int64(np), int64(si), int64(i), int64(ns)})
			}
		}
		for k := 0; k < 6; k++ {
			i := uint(r.Intn(int(pages)))
			n := uint(r.Intn(int(pages-i))) + 1
			v.Popcnt = append(v.Popcnt, [3]uint{i, n, b.PopcntRange(i, n)})
		}
		out = append(out, v)
	}
	b := new(PallocBits)
	add(b)
	b.AllocRange(0, pages)
	add(b)
	for i := 0; i < 120; i++ {
		randomBits(r, b)
		add(b)
	}
	return out
}

func findBitRangeVectors(r *rand.Rand) [][3]any {
	var out [][3]any
	xs := []uint64{0, ^uint64(0), 0x8000000000000000, 0xc000010001010000, 0xc000010001030000,
		0xe000030001030000, 0xe000030001070000, 0xffff03ff01070000, 0xffff03ff0107ffff, 0x0fff03ff01079fff}
	for _, x := range xs {
		for n := uint(1); n <= 64; n++ {
			out = append(out, [3]any{jsonU64(x), n, FindBitRange64(x, n)})
		}
	}
	for i := 0; i < 60; i++ {
		x := r.Uint64()
		switch r.Intn(3) {
		case 0:
			x |= r.Uint64()
		case 1:
			x |= r.Uint64() | r.Uint64()
		}
		for _, n := range []uint{1, 2, 3, 4, 5, 7, 8, 12, 16, 24, 31, 32, 33, 48, 63, 64} {
			out = append(out, [3]any{jsonU64(x), n, FindBitRange64(x, n)})
		}
	}
	return out
}

func fillAlignedVectors(r *rand.Rand) [][3]any {
	var out [][3]any
	for m := uint(1); m <= 64; m *= 2 {
		xs := []uint64{0, 0x00000000ffffffff, 0xffffffff00000000, 0x8000000000000001, 0xf00000010050000f, ^uint64(0), 1 << (m - 1)}
		for i := 0; i < 40; i++ {
			x := r.Uint64()
			if i%2 == 0 {
				x &= r.Uint64() & r.Uint64()
			}
			xs = append(xs, x)
		}
		for _, x := range xs {
			out = append(out, [3]any{jsonU64(x), m, jsonU64(FillAligned(x, m))})
		}
	}
	return out
}

func scavCandidateVectors(r *rand.Rand) []scavVec {
	var out []scavVec
	pages := uint(PallocChunkPages)
	maxMin := uintptr(64)
	for i := 0; i < 60; i++ {
		d := new(PallocData)
		a := new(PallocBits)
		s := new(PallocBits)
		randomBits(r, a)
		randomBits(r, s)
		for w := range a {
			d.PallocBits()[w] = a[w]
			d.Scavenged()[w] = s[w] &^ a[w]
		}
		if i%4 == 0 {
			for w := range a {
				d.Scavenged()[w] = 0
			}
		}
		v := scavVec{Alloc: words(d.PallocBits()), Scav: words(d.Scavenged())}
		for m := uintptr(1); m <= maxMin; m *= 2 {
			for _, mx := range []uintptr{0, 1, m, 3 * m, 100, uintptr(pages)} {
				for _, si := range []uint{pages - 1, uint(r.Intn(int(pages)))} {
					st, sz := d.FindScavengeCandidate(si, m, mx)
					v.Cases = append(v.Cases, [5]uint64{uint64(si), uint64(m), uint64(mx), uint64(st), uint64(sz)})
				}
			}
		}
		out = append(out, v)
	}
	return out
}

// ---------------------------------------------------------------------------
// Page allocator scenarios.

type br = BitRange

func key(c ChunkIdx) string { return fmt.Sprint(uint64(c)) }

func toJSONRanges(m map[ChunkIdx][]BitRange) map[string][][2]uint {
	if m == nil {
		return nil
	}
	out := map[string][][2]uint{}
	for c, rs := range m {
		l := [][2]uint{}
		for _, r := range rs {
			l = append(l, [2]uint{r.I, r.N})
		}
		out[key(c)] = l
	}
	return out
}

type runner struct {
	b     *PageAlloc
	sc    *scenario
	cache *PageCache
}

func (x *runner) rec(o ...any) {
	o = append(o, uint64(x.b.GomallocSearchAddr()))
	x.sc.Ops = append(x.sc.Ops, op(o))
}

func (x *runner) alloc(n uintptr) uintptr {
	a, s := x.b.Alloc(n)
	x.rec("a", uint64(n), uint64(a), uint64(s))
	return a
}

func (x *runner) free(base, n uintptr) {
	x.b.Free(base, n)
	x.rec("f", uint64(base), uint64(n))
}

func (x *runner) allocToCache() {
	c := x.b.AllocToCache()
	x.cache = &c
	x.rec("c", uint64(c.Base()), jsonU64(c.Cache()), jsonU64(c.Scav()))
}

func (x *runner) cacheAlloc(n uintptr) uintptr {
	a, s := x.cache.Alloc(n)
	x.rec("ca", uint64(n), uint64(a), uint64(s), jsonU64(x.cache.Cache()), jsonU64(x.cache.Scav()))
	return a
}

func (x *runner) flush() {
	x.cache.Flush(x.b)
	x.cache = nil
	x.rec("fl")
}

func (x *runner) scavenge(n uintptr) {
	r := x.b.Scavenge(n)
	x.rec("s", uint64(n), uint64(r))
}

func (x *runner) finish() {
	b := x.b
	levels, shift, _ := GomallocLevels()
	_, _, _, _, arenaBase := GomallocGeometry()
	x.sc.Final = map[string]chunkState{}
	seen := map[[2]uint64]bool{}
	for _, r := range b.InUse() {
		x.sc.InUse = append(x.sc.InUse, [2]uint64{uint64(r.Base()), uint64(r.Limit())})
		for a := r.Base(); a < r.Limit(); a += uintptr(PallocChunkPages * PageSize) {
			c := ChunkIdx((a - arenaBase) / uintptr(PallocChunkPages*PageSize))
			d := b.PallocData(c)
			x.sc.Final[key(c)] = chunkState{Alloc: words(d.PallocBits()), Scav: words(d.Scavenged())}
			for l := 0; l < levels; l++ {
				i := uint64((a - arenaBase) >> shift[l])
				if seen[[2]uint64{uint64(l), i}] {
					continue
				}
				seen[[2]uint64{uint64(l), i}] = true
				s := b.GomallocSummary(l, int(i))
				x.sc.Sums = append(x.sc.Sums, [2]uint64{uint64(l), i})
				x.sc.SumHex = append(x.sc.SumHex, jsonU64(s))
			}
		}
	}
	x.sc.Search = uint64(b.GomallocSearchAddr())
}

func newScenario(name string, chunks, scav map[ChunkIdx][]BitRange) *runner {
	sc := &scenario{Name: name, Chunks: toJSONRanges(chunks), Scav: toJSONRanges(scav), NoScav: scav == nil}
	return &runner{b: NewPageAlloc(chunks, scav), sc: sc}
}

func goTableScenarios() []*scenario {
	var out []*scenario
	P := uint(PallocChunkPages)
	B := BaseChunkIdx
	run := func(name string, before, scav map[ChunkIdx][]BitRange, f func(x *runner)) {
		x := newScenario(name, before, scav)
		f(x)
		x.finish()
		FreePageAlloc(x.b)
		out = append(out, x.sc)
	}
	allocs := func(ns ...uintptr) func(x *runner) {
		return func(x *runner) {
			for _, n := range ns {
				x.alloc(n)
			}
		}
	}
	// From TestPageAllocAlloc.
	run("TestPageAllocAlloc/AllFree1", map[ChunkIdx][]BitRange{B: {}}, map[ChunkIdx][]BitRange{B: {{0, 1}, {2, 2}}}, allocs(1, 1, 1, 1, 1))
	run("TestPageAllocAlloc/ManyArena1", map[ChunkIdx][]BitRange{B: {{0, P}}, B + 1: {{0, P}}, B + 2: {{0, P - 1}}},
		map[ChunkIdx][]BitRange{B: {{0, P}}, B + 1: {{0, P}}, B + 2: {{0, P}}}, allocs(1))
	run("TestPageAllocAlloc/NotContiguous1", map[ChunkIdx][]BitRange{B: {{0, P}}, B + 0xff: {{0, 0}}},
		map[ChunkIdx][]BitRange{B: {{0, P}}, B + 0xff: {{0, P}}}, allocs(1))
	run("TestPageAllocAlloc/AllFree2", map[ChunkIdx][]BitRange{B: {}}, map[ChunkIdx][]BitRange{B: {{0, 3}, {7, 1}}}, allocs(2, 2, 2, 2, 2))
	run("TestPageAllocAlloc/Straddle2", map[ChunkIdx][]BitRange{B: {{0, P - 1}}, B + 1: {{1, P - 1}}},
		map[ChunkIdx][]BitRange{B: {{P - 1, 1}}, B + 1: {}}, allocs(2))
	run("TestPageAllocAlloc/AllFree5", map[ChunkIdx][]BitRange{B: {}}, map[ChunkIdx][]BitRange{B: {{0, 8}, {9, 1}, {17, 5}}}, allocs(5, 5, 5, 5, 5))
	run("TestPageAllocAlloc/ExhaustPallocChunkPages-3", map[ChunkIdx][]BitRange{B: {}}, map[ChunkIdx][]BitRange{B: {{10, 1}}},
		allocs(uintptr(P-3), uintptr(P-3), 1, 1, 1, 1))
	if P >= 512 {
		run("TestPageAllocAlloc/AllFree64", map[ChunkIdx][]BitRange{B: {}}, map[ChunkIdx][]BitRange{B: {{21, 1}, {63, 65}}}, allocs(64, 64, 64))
		run("TestPageAllocAlloc/AllFree65", map[ChunkIdx][]BitRange{B: {}}, map[ChunkIdx][]BitRange{B: {{129, 1}}}, allocs(65, 65, 65))
		run("TestPageAllocAlloc/StraddlePallocChunkPages", map[ChunkIdx][]BitRange{B: {{0, P / 2}}, B + 1: {{P / 2, P / 2}}},
			map[ChunkIdx][]BitRange{B: {}, B + 1: {{3, 100}}}, allocs(uintptr(P), uintptr(P), 1))
		run("TestPageAllocAlloc/AllFreePallocChunkPages*7+5", map[ChunkIdx][]BitRange{B: {}, B + 1: {}, B + 2: {}, B + 3: {}, B + 4: {}, B + 5: {}, B + 6: {}, B + 7: {}},
			map[ChunkIdx][]BitRange{B: {{50, 1}}, B + 1: {{31, 1}}, B + 2: {{7, 1}}, B + 3: {{200, 1}}, B + 4: {{3, 1}}, B + 5: {{51, 1}}, B + 6: {{20, 1}}, B + 7: {{1, 1}}},
			allocs(uintptr(P*7+5), uintptr(P*7+5), 1))
		run("TestPageAllocAlloc/StraddlePallocChunkPages*2", map[ChunkIdx][]BitRange{B: {{0, P / 2}}, B + 1: {}, B + 2: {{P / 2, P / 2}}},
			map[ChunkIdx][]BitRange{B: {{0, 7}}, B + 1: {{3, 5}, {121, 10}}, B + 2: {{P/2 + 12, 2}}}, allocs(uintptr(P*2), uintptr(P*2), 1))
	}
	if PageAlloc64Bit != 0 {
		const bigJump = 0x100000
		sums := ChunkIdx(PhysPageSize / PallocSumBytes)
		bb := B &^ (sums - 1)
		run("TestPageAllocAlloc/DiscontiguousMappedSumBoundary", map[ChunkIdx][]BitRange{bb + sums - 1: {}, bb + bigJump: {}},
			map[ChunkIdx][]BitRange{bb + sums - 1: {}, bb + bigJump: {}}, allocs(uintptr(P-1), 1, 1, uintptr(P-1), 1))
		run("TestPageAllocAlloc/DiscontiguousBadSearchAddr", map[ChunkIdx][]BitRange{
			B:                   {{0, P - 1}},
			B + bigJump + 0x503: {{0, P - 10}, {P - 1, 1}},
			B + bigJump*2:       {},
		}, map[ChunkIdx][]BitRange{B: {}, B + bigJump + 0x503: {}, B + bigJump*2: {}}, allocs(1, 100, 9))
	}
	// From TestPageAllocExhaust.
	for _, n := range []uintptr{1, 2, 3, 4, 5, 8, 16, 64, 1024, 1025, 2048, 2049} {
		if n > uintptr(4*P) {
			continue
		}
		run(fmt.Sprintf("TestPageAllocExhaust/%d", n), map[ChunkIdx][]BitRange{B: {}, B + 1: {}, B + 2: {}, B + 3: {}}, nil, func(x *runner) {
			for i := uintptr(0); i < uintptr(4*P)/n; i++ {
				x.alloc(n)
			}
			x.alloc(n)
		})
	}
	// From TestPageAllocFree.
	run("TestPageAllocFree/Free1", map[ChunkIdx][]BitRange{B: {{0, P}}}, nil, func(x *runner) {
		for _, i := range []uint{0, 1, 2, 3, 4} {
			x.free(PageBase(B, i), 1)
		}
	})
	run("TestPageAllocFree/ManyArena1", map[ChunkIdx][]BitRange{B: {{0, P}}, B + 1: {{0, P}}, B + 2: {{0, P}}}, nil, func(x *runner) {
		x.free(PageBase(B, P/2), 1)
		x.free(PageBase(B+1, 0), 1)
		x.free(PageBase(B+2, P-1), 1)
	})
	// From TestPageAllocAllocAndFree.
	run("TestPageAllocAllocAndFree/Chunks8", map[ChunkIdx][]BitRange{B: {}, B + 1: {}, B + 2: {}, B + 3: {}, B + 4: {}, B + 5: {}, B + 6: {}, B + 7: {}}, nil, func(x *runner) {
		for k := 0; k < 3; k++ {
			x.alloc(uintptr(P * 8))
			x.free(PageBase(B, 0), uintptr(P*8))
		}
		x.alloc(1)
		x.free(PageBase(B, 0), 1)
		x.alloc(uintptr(P * 8))
	})
	// From TestPageAllocAllocToCache.
	run("TestPageAllocAllocToCache/ManyArena", map[ChunkIdx][]BitRange{B: {{0, P}}, B + 1: {{0, P}}, B + 2: {{0, P - 64}}},
		map[ChunkIdx][]BitRange{B: {{0, P}}, B + 1: {{0, P}}, B + 2: {}}, func(x *runner) { x.allocToCache() })
	run("TestPageAllocAllocToCache/Fail", map[ChunkIdx][]BitRange{B: {{0, P}}}, nil, func(x *runner) {
		x.allocToCache()
		x.allocToCache()
		x.allocToCache()
	})
	run("TestPageAllocAllocToCache/RetainScavBits", map[ChunkIdx][]BitRange{B: {{0, 1}, {10, 2}}}, map[ChunkIdx][]BitRange{B: {{0, 4}, {11, 1}}},
		func(x *runner) { x.allocToCache() })
	// From TestPageAllocScavenge.
	run("TestPageAllocScavenge/AllFreeUnscavExhaust", map[ChunkIdx][]BitRange{B: {}, B + 1: {}, B + 2: {}}, map[ChunkIdx][]BitRange{B: {}, B + 1: {}, B + 2: {}}, func(x *runner) {
		x.scavenge(^uintptr(0))
		x.scavenge(^uintptr(0))
	})
	run("TestPageAllocScavenge/NoneFreeUnscav", map[ChunkIdx][]BitRange{B: {{0, P}}, B + 1: {{0, P}}}, map[ChunkIdx][]BitRange{B: {}, B + 1: {}}, func(x *runner) {
		x.scavenge(^uintptr(0))
	})
	// gomalloc's own scenarios.
	run("Gomalloc/CacheAllocFlush", map[ChunkIdx][]BitRange{B: {{1, 2}, {5, 3}, {20, 30}}}, map[ChunkIdx][]BitRange{B: {{0, 20}, {60, 4}}}, func(x *runner) {
		x.allocToCache()
		x.cacheAlloc(2)
		x.cacheAlloc(1)
		x.cacheAlloc(7)
		x.cacheAlloc(5)
		x.flush()
		x.alloc(1)
	})
	run("Gomalloc/ScavengeSteps", map[ChunkIdx][]BitRange{B: {}, B + 0xe: {}}, map[ChunkIdx][]BitRange{B: {{8, 10}}, B + 0xe: {{8, 10}}}, func(x *runner) {
		x.scavenge(5 * PageSize)
		x.scavenge(32 * PageSize)
		x.scavenge(^uintptr(0))
		x.alloc(3)
	})
	return out
}

func randomScenarios(r *rand.Rand, n int) []*scenario {
	var out []*scenario
	P := uint(PallocChunkPages)
	for k := 0; k < n; k++ {
		chunks := map[ChunkIdx][]BitRange{}
		scav := map[ChunkIdx][]BitRange{}
		nc := 1 + r.Intn(5)
		c := BaseChunkIdx
		for i := 0; i < nc; i++ {
			// Disjoint ranges: NewPageAlloc counts each range's pages as in use.
			disjoint := func() []BitRange {
				var out []BitRange
				for at := uint(r.Intn(int(P))); at < P && r.Intn(4) != 0; {
					n := uint(r.Intn(int(P-at))) + 1
					out = append(out, BitRange{at, n})
					at += n + 1 + uint(r.Intn(int(P)))
				}
				return out
			}
			rs, ss := disjoint(), disjoint()
			chunks[c] = rs
			scav[c] = ss
			if r.Intn(3) == 0 {
				c += ChunkIdx(2 + r.Intn(20))
			} else {
				c++
			}
		}
		x := newScenario(fmt.Sprintf("Random/%d", k), chunks, scav)
		type live struct{ a, n uintptr }
		var lives []live
		total := uintptr(nc) * uintptr(P)
		for step := 0; step < 100; step++ {
			switch q := r.Intn(20); {
			case q < 9:
				var n uintptr
				switch r.Intn(4) {
				case 0:
					n = 1
				case 1:
					n = uintptr(1 + r.Intn(8))
				case 2:
					n = uintptr(1 + r.Intn(int(P)))
				default:
					n = uintptr(1 + r.Intn(int(total/2)+1))
				}
				if a := x.alloc(n); a != 0 {
					lives = append(lives, live{a, n})
				}
			case q < 16:
				if len(lives) > 0 {
					i := r.Intn(len(lives))
					l := lives[i]
					lives = append(lives[:i], lives[i+1:]...)
					// Free a prefix, the whole block, or split it.
					x.free(l.a, l.n)
				}
			case q < 18:
				x.allocToCache()
				for j := r.Intn(5); j > 0; j-- {
					n := uintptr(1 + r.Intn(4))
					if a := x.cacheAlloc(n); a != 0 {
						lives = append(lives, live{a, n})
					}
				}
				x.flush()
			default:
				x.scavenge(uintptr(r.Intn(int(P)*4)+1) * PageSize / 2)
			}
		}
		x.finish()
		FreePageAlloc(x.b)
		out = append(out, x.sc)
	}
	return out
}

// ---------------------------------------------------------------------------
// Span core.

func spanVectors(r *rand.Rand) []spanVec {
	var out []spanVec
	var spanBase uint64 = 0xc000000000 // a linux/amd64 heap address; spans are generated on amd64 only
	base := uintptr(spanBase)
	for class := 1; class < GomallocNumSizeClasses(); class++ {
		g := GomallocNewSpan(class, base)
		nelems, elemsize, divMul, npages := g.Nelems()
		v := spanVec{Class: class, Base: uint64(base), Npages: uint64(npages), Nelems: nelems, Elemsize: uint64(elemsize), DivMul: divMul}
		span := uintptr(nelems) * elemsize
		for _, off := range []uintptr{0, 1, elemsize - 1, elemsize, elemsize + 1, span - 1, span} {
			v.ObjIndex = append(v.ObjIndex, [2]uint64{uint64(off), uint64(g.ObjIndex(base + off))})
		}
		for i := 0; i < 24; i++ {
			off := uintptr(r.Int63n(int64(span) + 1))
			v.ObjIndex = append(v.ObjIndex, [2]uint64{uint64(off), uint64(g.ObjIndex(base + off))})
		}
		step := func() spanStep {
			fi, c, n := g.State()
			return spanStep{-1, int64(fi), int64(uint32(c)), int64(c >> 32), int64(n)}
		}
		allocated := map[int]bool{}
		for round := 0; round < 3; round++ {
			var rd spanRound
			if round > 0 {
				// gomalloc's explicit-free rule: marks = (allocBits ∪ {i < freeindex}) − freed.
				frac := []float64{0, 0.3, 1}[round]
				var live []int
				for i := range allocated {
					live = append(live, i)
				}
				sort.Ints(live)
				rd.Freed = []int{}
				for _, i := range live {
					if r.Float64() < frac {
						rd.Freed = append(rd.Freed, i)
						delete(allocated, i)
					}
				}
				marks := make([]byte, (int(nelems)+63)/64*8)
				for i := range allocated {
					marks[i/8] |= 1 << (i % 8)
				}
				rd.Nalloc = g.Sweep(marks)
				rd.AfterSweep = step()
			}
			// Allocate a random number of objects (sometimes until full).
			limit := int(nelems) + 1
			if r.Intn(3) != 0 || limit > 300 {
				limit = r.Intn(min(int(nelems)+1, 300))
			}
			for k := 0; k < limit; k++ {
				a := g.NextFree()
				s := step()
				if a != 0 {
					s[0] = int64((a - base) / elemsize)
				}
				rd.Steps = append(rd.Steps, s)
				if a == 0 {
					break
				}
				allocated[int((a-base)/elemsize)] = true
			}
			v.Rounds = append(v.Rounds, rd)
		}
		g.Free()
		out = append(out, v)
	}
	return out
}

func TestGomallocVectors(t *testing.T) {
	r := rand.New(rand.NewSource(0x60a110c))
	pageShift, heapAddrBits, logChunkPages, l1Bits, arenaBase := GomallocGeometry()
	levels, _, _ := GomallocLevels()
	v := vectors{Geometry: geometry{
		GOOS: GOOS, GOARCH: GOARCH, GoVersion: Version(),
		PageShift: pageShift, HeapAddrBits: heapAddrBits, LogChunkPages: logChunkPages,
		SummaryLevels: levels, L1Bits: l1Bits, ArenaBaseOffsetAdd: uint64(0) - uint64(arenaBase),
		PhysPageSize: uint64(PhysPageSize), PhysHugePageSize: uint64(PhysHugePageSize),
		BaseChunkIdx: uint64(BaseChunkIdx), PallocChunkPages: PallocChunkPages,
	}}
	v.PallocBits = pallocBitsVectors(r)
	v.FindBitRange = findBitRangeVectors(r)
	v.FillAligned = fillAlignedVectors(r)
	v.ScavCand = scavCandidateVectors(r)
	for _, s := range goTableScenarios() {
		v.PageAlloc = append(v.PageAlloc, *s)
	}
	for _, s := range randomScenarios(r, 40) {
		v.PageAlloc = append(v.PageAlloc, *s)
	}
	if GOARCH == "amd64" {
		v.Spans = spanVectors(r)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("GOMALLOC-VECTORS %s\n", out)
}
