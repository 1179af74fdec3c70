// Added to package runtime through `go build -overlay` by generate.sh; never
// part of the module build. Gives the vector program access to the runtime's
// own heap-sampling functions. The per-M random state is reached through
// gomallocRandState, defined per Go version in gomalloc_export_go1*.go.

package runtime

// GomallocFastlog2Table returns the runtime's fastlog2Table (an array value:
// package runtime may not let a slice of it escape to the heap).
func GomallocFastlog2Table() [1<<fastlogNumBits + 1]float64 { return fastlog2Table }

// GomallocFastlogNumBits returns the runtime's fastlogNumBits.
func GomallocFastlogNumBits() int { return fastlogNumBits }

// GomallocFastlog2 calls the runtime's fastlog2.
func GomallocFastlog2(x float64) float64 { return fastlog2(x) }

// gomallocWithState runs f with this M's random state set to state, without
// preemption, and returns the state f left behind; the M's own state is
// restored afterwards.
func gomallocWithState(state uint64, f func()) uint64 {
	mp := acquirem()
	p := gomallocRandState(mp)
	saved := *p
	*p = state
	f()
	after := *p
	*p = saved
	releasem(mp)
	return after
}

// GomallocCheaprand draws the runtime's cheap random value once from state.
func GomallocCheaprand(state uint64) (r uint32, after uint64) {
	after = gomallocWithState(state, func() { r = gomallocRand() })
	return
}

// GomallocFastexprand runs the runtime's fastexprand from state.
func GomallocFastexprand(mean int, state uint64) (v int32, after uint64) {
	after = gomallocWithState(state, func() { v = fastexprand(mean) })
	return
}

// GomallocNextSample runs the runtime's nextSample from state with
// MemProfileRate set to rate.
func GomallocNextSample(rate int, state uint64) (v int64, after uint64) {
	saved := MemProfileRate
	MemProfileRate = rate
	after = gomallocWithState(state, func() { v = int64(nextSample()) })
	MemProfileRate = saved
	return
}
