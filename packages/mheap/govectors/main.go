// Command govectors regenerates gomalloc's page-allocator and span fixtures
// from Go's own runtime code.
//
// It runs one test, overlay/vectors_test.go, inside package runtime with
// `go test -overlay`, next to the runtime's export_test.go and the extra hooks
// in overlay/export_gomalloc.go; nothing in GOROOT is modified. That test
// drives the real pallocBits, pageAlloc, pageCache, scavenger and mspan code
// and prints one JSON line, which is written, gzipped, to:
//
//	packages/mheap/test/fixtures/go-vectors-<goos>-<goarch>.json.gz  (per target)
//	packages/span/test/fixtures/go-span-vectors.json.gz              (from linux/amd64)
//
// Targets: linux/amd64 (48-bit, 5 levels), linux/386 (32-bit, 4 levels) and
// js/wasm (32-bit, 4 levels, 64-page chunks; run under node with Go's
// go_js_wasm_exec). Usage, from this directory:
//
//	go run . [-repo ../../..]
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

type target struct{ goos, goarch string }

var targets = []target{{"linux", "amd64"}, {"linux", "386"}, {"js", "wasm"}}

func main() {
	repo := flag.String("repo", "../../..", "path of the gomalloc repository root")
	flag.Parse()
	here, err := os.Getwd()
	check(err)
	goroot := strings.TrimSpace(run(exec.Command("go", "env", "GOROOT")))
	tmp, err := os.MkdirTemp("", "govectors")
	check(err)
	defer os.RemoveAll(tmp)
	overlay := filepath.Join(tmp, "overlay.json")
	o := map[string]map[string]string{"Replace": {
		filepath.Join(goroot, "src/runtime/gomalloc_vectors_test.go"): filepath.Join(here, "overlay/vectors_test.go"),
		filepath.Join(goroot, "src/runtime/export_gomalloc_test.go"):  filepath.Join(here, "overlay/export_gomalloc.go"),
	}}
	b, err := json.Marshal(o)
	check(err)
	check(os.WriteFile(overlay, b, 0o644))

	for _, t := range targets {
		cmd := exec.Command("go", "test", "-overlay", overlay, "-tags", "gomalloc_vectors",
			"-run", "^TestGomallocVectors$", "-count=1", "-v", "runtime")
		cmd.Env = append(os.Environ(), "GOOS="+t.goos, "GOARCH="+t.goarch, "CGO_ENABLED=0")
		if t.goarch == "wasm" {
			cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH")+string(os.PathListSeparator)+filepath.Join(goroot, "lib/wasm"))
		}
		out := run(cmd)
		line := ""
		sc := bufio.NewScanner(strings.NewReader(out))
		sc.Buffer(make([]byte, 1<<20), 1<<28)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "GOMALLOC-VECTORS "); ok {
				line = rest
			}
		}
		if line == "" {
			fmt.Fprintln(os.Stderr, out)
			check(fmt.Errorf("%s/%s: no vectors in the test output", t.goos, t.goarch))
		}
		var v map[string]json.RawMessage
		check(json.Unmarshal([]byte(line), &v))
		if spans, ok := v["Spans"]; ok {
			delete(v, "Spans")
			write(filepath.Join(*repo, "packages/span/test/fixtures/go-span-vectors.json.gz"),
				[]byte(fmt.Sprintf(`{"Geometry":%s,"Spans":%s}`, v["Geometry"], spans)))
		}
		rest, err := json.Marshal(v)
		check(err)
		write(filepath.Join(*repo, "packages/mheap/test/fixtures", fmt.Sprintf("go-vectors-%s-%s.json.gz", t.goos, t.goarch)), rest)
	}
}

func write(path string, data []byte) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	check(err)
	_, err = zw.Write(data)
	check(err)
	check(zw.Close())
	check(os.MkdirAll(filepath.Dir(path), 0o755))
	check(os.WriteFile(path, buf.Bytes(), 0o644))
	fmt.Printf("wrote %s (%d bytes, %d uncompressed)\n", path, buf.Len(), len(data))
}

func run(cmd *exec.Cmd) string {
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, out.String())
		check(fmt.Errorf("%s: %v", strings.Join(cmd.Args, " "), err))
	}
	return out.String()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "govectors:", err)
		os.Exit(1)
	}
}
