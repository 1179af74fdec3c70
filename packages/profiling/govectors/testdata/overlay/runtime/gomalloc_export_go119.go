// Go 1.21 and earlier keep the per-M state in mp.fastrand; see gomalloc_export.go.

//go:build !go1.22

package runtime

func gomallocRandState(mp *m) *uint64 { return &mp.fastrand }

func gomallocRand() uint32 { return fastrand() }
