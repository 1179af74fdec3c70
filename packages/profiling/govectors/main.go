// Command govectors writes the heap-sampling, pprof-scaling, MemStats and
// runtime/metrics facts that @gomalloc/profiling is tested against, as JSON on
// stdout.
//
// The numbers come from the Go runtime itself: generate.sh builds this
// program with `go build -overlay`, adding one small file to package runtime
// (testdata/overlay/runtime) and one to runtime/pprof
// (testdata/overlay/runtime/pprof) that export thin wrappers around the
// unexported functions (fastlog2, fastlog2Table, cheaprand/fastrand,
// fastexprand, nextSample, scaleHeapSample). Nothing is re-implemented here:
// every sampled value is what the runtime computed with its per-M random state
// set to a known value. Without the overlay the program does not compile.
//
// Regenerate: `sh govectors/generate.sh` from packages/profiling.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
)

// splitmix64 drives the choice of inputs (states, q values); it is not the
// generator under test.
type splitmix64 uint64

func (s *splitmix64) next() uint64 {
	*s += 0x9e3779b97f4a7c15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

type log2Vec struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

type randVec struct {
	State string `json:"state"`
	R     uint32 `json:"r"`
	After string `json:"after"`
}

type expVec struct {
	Mean  int    `json:"mean"`
	State string `json:"state"`
	V     int32  `json:"v"`
	After string `json:"after"`
}

type seqVec struct {
	Mean      int     `json:"mean"`
	Seed      string  `json:"seed"`
	Distances []int32 `json:"distances"`
	After     string  `json:"after"`
}

type nextVec struct {
	Rate  int    `json:"rate"`
	State string `json:"state"`
	V     string `json:"v"`
	After string `json:"after"`
}

type scaleVec struct {
	Count   int64 `json:"count"`
	Size    int64 `json:"size"`
	Rate    int64 `json:"rate"`
	Objects int64 `json:"objects"`
	Bytes   int64 `json:"bytes"`
}

type fieldVec struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type metricVec struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Cumulative bool   `json:"cumulative"`
}

type output struct {
	GoVersion             string      `json:"goVersion"`
	GOARCH                string      `json:"goarch"`
	DefaultMemProfileRate int         `json:"defaultMemProfileRate"`
	FastlogNumBits        int         `json:"fastlogNumBits"`
	Fastlog2Table         []float64   `json:"fastlog2Table"`
	Fastlog2              []log2Vec   `json:"fastlog2"`
	Cheaprand             []randVec   `json:"cheaprand"`
	Fastexprand           []expVec    `json:"fastexprand"`
	Sequences             []seqVec    `json:"sequences"`
	NextSample            []nextVec   `json:"nextSample"`
	ScaleHeapSample       []scaleVec  `json:"scaleHeapSample"`
	MemStatsFields        []fieldVec  `json:"memStatsFields"`
	BySizeFields          []fieldVec  `json:"bySizeFields"`
	BySizeLen             int         `json:"bySizeLen"`
	BySizeSizes           []uint32    `json:"bySizeSizes"`
	Metrics               []metricVec `json:"metrics"`
}

func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func main() {
	// Read before anything changes it. Referencing runtime.MemProfile keeps
	// the linker from turning memory profiling off (disableMemoryProfiling).
	var o output
	o.DefaultMemProfileRate = runtime.MemProfileRate
	runtime.MemProfile(nil, true)
	o.GoVersion = runtime.Version()
	o.GOARCH = runtime.GOARCH
	o.FastlogNumBits = runtime.GomallocFastlogNumBits()
	table := runtime.GomallocFastlog2Table()
	o.Fastlog2Table = table[:]

	// fastlog2 at every q a sample can draw near the edges, and at random q.
	var xs []float64
	for q := 1; q <= 1024; q++ {
		xs = append(xs, float64(q))
	}
	for k := 11; k <= 26; k++ {
		xs = append(xs, float64(uint64(1)<<k-1), float64(uint64(1)<<k), float64(uint64(1)<<k+1))
	}
	sm := splitmix64(0x676f6d616c6c6f63)
	for i := 0; i < 1000; i++ {
		xs = append(xs, float64(sm.next()%(1<<26)+1))
	}
	xs = append(xs, 0, 0.5, 0.75, 1.5, 3.7, 1e-3, 1e10, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308)
	for _, x := range xs {
		o.Fastlog2 = append(o.Fastlog2, log2Vec{x, runtime.GomallocFastlog2(x)})
	}

	states := []uint64{1, 2, 0x123456789abcdef, 0xffffffffffffffff, 0x8000000000000000, 0x00000000ffffffff, 0xffffffff00000000}
	for len(states) < 64 {
		states = append(states, sm.next())
	}
	for _, s := range states {
		r, after := runtime.GomallocCheaprand(s)
		o.Cheaprand = append(o.Cheaprand, randVec{u64(s), r, u64(after)})
	}

	// int is 32 bits on 386: keep means within int32.
	means := []int{0, 1, 2, 3, 7, 100, 4096, 65536, 512 * 1024, 1 << 20, 0x7000000, 0x7000001, 0x7fffffff, -1, -4096}
	for _, m := range means {
		for _, s := range states[:32] {
			v, after := runtime.GomallocFastexprand(m, s)
			o.Fastexprand = append(o.Fastexprand, expVec{m, u64(s), v, u64(after)})
		}
	}

	for _, m := range []int{512 * 1024, 4096, 1} {
		for _, seed := range []uint64{1, 0x123456789abcdef, states[10]} {
			sv := seqVec{Mean: m, Seed: u64(seed)}
			s := seed
			for i := 0; i < 200; i++ {
				var v int32
				v, s = runtime.GomallocFastexprand(m, s)
				sv.Distances = append(sv.Distances, v)
			}
			sv.After = u64(s)
			o.Sequences = append(o.Sequences, sv)
		}
	}

	for _, rate := range []int{0, 1, 2, 4096, 512 * 1024} {
		for _, s := range states[:8] {
			v, after := runtime.GomallocNextSample(rate, s)
			o.NextSample = append(o.NextSample, nextVec{rate, u64(s), strconv.FormatInt(v, 10), u64(after)})
		}
	}

	for _, rate := range []int64{-1, 0, 1, 2, 512, 4096, 512 * 1024, 1 << 30} {
		for _, count := range []int64{0, 1, 2, 3, 17, 1000} {
			for _, objSize := range []int64{0, 1, 8, 16, 100, 4096, 32768, 1 << 20, 1 << 30} {
				objects, bytes := pprof.GomallocScaleHeapSample(count, count*objSize, rate)
				o.ScaleHeapSample = append(o.ScaleHeapSample, scaleVec{count, count * objSize, rate, objects, bytes})
			}
		}
	}

	// Random records: object sizes and rates of every magnitude, where Go's
	// math.Exp (assembly on amd64) must agree with the JavaScript engine's.
	for i := 0; i < 1000; i++ {
		count := int64(sm.next()%100000) + 1
		objSize := int64(1) << (sm.next() % 24)
		objSize += int64(sm.next() % uint64(objSize))
		rate := int64(sm.next()%(1<<22)) + 2
		objects, bytes := pprof.GomallocScaleHeapSample(count, count*objSize, rate)
		o.ScaleHeapSample = append(o.ScaleHeapSample, scaleVec{count, count * objSize, rate, objects, bytes})
	}

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t := reflect.TypeOf(ms)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		o.MemStatsFields = append(o.MemStatsFields, fieldVec{f.Name, f.Type.String()})
	}
	bt := t.Field(t.NumField() - 1).Type.Elem()
	for i := 0; i < bt.NumField(); i++ {
		f := bt.Field(i)
		o.BySizeFields = append(o.BySizeFields, fieldVec{f.Name, f.Type.String()})
	}
	o.BySizeLen = len(ms.BySize)
	for _, c := range ms.BySize {
		o.BySizeSizes = append(o.BySizeSizes, c.Size)
	}

	kinds := map[metrics.ValueKind]string{
		metrics.KindBad:              "KindBad",
		metrics.KindUint64:           "KindUint64",
		metrics.KindFloat64:          "KindFloat64",
		metrics.KindFloat64Histogram: "KindFloat64Histogram",
	}
	for _, d := range metrics.All() {
		o.Metrics = append(o.Metrics, metricVec{d.Name, kinds[d.Kind], d.Cumulative})
	}

	if err := write(os.Stdout, &o); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// write prints o as JSON with one top-level field, or one array element, per
// line: compact, and still diffable.
func write(w io.Writer, o *output) error {
	v := reflect.ValueOf(o).Elem()
	t := v.Type()
	var b bytes.Buffer
	b.WriteString("{\n")
	for i := 0; i < t.NumField(); i++ {
		name := t.Field(i).Tag.Get("json")
		fmt.Fprintf(&b, "%q: ", name)
		f := v.Field(i)
		if f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct {
			b.WriteString("[\n")
			for j := 0; j < f.Len(); j++ {
				e, err := json.Marshal(f.Index(j).Interface())
				if err != nil {
					return err
				}
				b.Write(e)
				if j < f.Len()-1 {
					b.WriteString(",")
				}
				b.WriteString("\n")
			}
			b.WriteString("]")
		} else {
			e, err := json.Marshal(f.Interface())
			if err != nil {
				return err
			}
			b.Write(e)
		}
		if i < t.NumField()-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	_, err := w.Write(b.Bytes())
	return err
}
