// Go 1.22 and later keep the per-M state in mp.cheaprand; see gomalloc_export.go.

//go:build go1.22

package runtime

func gomallocRandState(mp *m) *uint64 { return &mp.cheaprand }

func gomallocRand() uint32 { return cheaprand() }
