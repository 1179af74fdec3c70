// Added to package runtime through `go build -overlay` by generate.sh; never
// part of the module build. Gives the vector program access to the runtime's
// own heap-sampling functions (Go 1.22 and later: per-M state mp.cheaprand).

//go:build go1.22

package runtime

// GomallocFastlog2Table returns the runtime's fastlog2Table (an array value:
// package runtime may not let a slice of it escape to the heap).
func GomallocFastlog2Table() [1<<fastlogNumBits + 1]float64 { return fastlog2Table }

// GomallocFastlogNumBits returns the runtime's fastlogNumBits.
func GomallocFastlogNumBits() int { return fastlogNumBits }

// GomallocFastlog2 calls the runtime's fastlog2.
func GomallocFastlog2(x float64) float64 { return fastlog2(x) }

// GomallocCheaprand runs the runtime's cheaprand once from the given state
// and returns its output and the state after it.
func GomallocCheaprand(state uint64) (uint32, uint64) {
	mp := acquirem()
	saved := mp.cheaprand
	mp.cheaprand = state
	r := cheaprand()
	after := mp.cheaprand
	mp.cheaprand = saved
	releasem(mp)
	return r, after
}

// GomallocFastexprand runs the runtime's fastexprand with the per-M random
// state set to state, and returns the draw and the state after it.
func GomallocFastexprand(mean int, state uint64) (int32, uint64) {
	mp := acquirem()
	saved := mp.cheaprand
	mp.cheaprand = state
	v := fastexprand(mean)
	after := mp.cheaprand
	mp.cheaprand = saved
	releasem(mp)
	return v, after
}

// GomallocNextSample runs the runtime's nextSample with MemProfileRate set to
// rate and the per-M random state set to state.
func GomallocNextSample(rate int, state uint64) (int64, uint64) {
	mp := acquirem()
	savedRate := MemProfileRate
	saved := mp.cheaprand
	MemProfileRate = rate
	mp.cheaprand = state
	v := nextSample()
	after := mp.cheaprand
	mp.cheaprand = saved
	MemProfileRate = savedRate
	releasem(mp)
	return int64(v), after
}
