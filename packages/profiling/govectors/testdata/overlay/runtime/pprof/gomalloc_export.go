// Added to package runtime/pprof through `go build -overlay` by generate.sh;
// never part of the module build.

package pprof

// GomallocScaleHeapSample calls runtime/pprof's scaleHeapSample.
func GomallocScaleHeapSample(count, size, rate int64) (int64, int64) {
	return scaleHeapSample(count, size, rate)
}
