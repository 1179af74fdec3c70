// Command extract type-checks package runtime (and its dependencies) of one
// or more GOROOTs for every GOOS/GOARCH pair and writes the allocator
// constants Go computes, plus Go's size-class tables, as JSON fixtures for
// @gomalloc/conformance. Standard library only.
//
// Usage:
//
//	go run . -out ../fixtures /usr/local/go /usr/lib/go-1.19
//
// For each GOROOT it writes OUT/go1.N/constants.json (pair → name → value),
// OUT/go1.N/sizeclasses.json (the scalars and tables of sizeclasses.go) and
// OUT/go1.N/meta.json (Go version, pairs, and where each constant lives).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

func main() {
	out := flag.String("out", "", "output directory (required); one go1.N subdirectory per GOROOT")
	pairsFlag := flag.String("pairs", "", "comma-separated GOOS/GOARCH pairs (default: every pair `go tool dist list` prints)")
	jobs := flag.Int("j", runtime.GOMAXPROCS(0), "pairs type-checked in parallel")
	quiet := flag.Bool("q", false, "no summary on stderr")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: extract -out DIR [-pairs p1,p2] [-j N] GOROOT...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, flag.Args(), *pairsFlag, *jobs, *quiet); err != nil {
		fmt.Fprintf(os.Stderr, "extract: %v\n", err)
		os.Exit(1)
	}
}

// job is one pair of one tree.
type job struct {
	t    *tree
	pair string
	res  *pairResult
	err  error
}

func run(out string, goroots []string, pairsFlag string, jobs int, quiet bool) error {
	start := time.Now()
	var trees []*tree
	var all []*job
	perTree := map[*tree][]*job{}
	seen := map[string]string{}
	for _, g := range goroots {
		t, err := openTree(g)
		if err != nil {
			return err
		}
		if prev, dup := seen[t.release]; dup {
			return fmt.Errorf("%s and %s are both Go %s", prev, g, t.release)
		}
		seen[t.release] = g
		pairs, err := t.distList()
		if err != nil {
			return err
		}
		if pairsFlag != "" {
			pairs, err = selectPairs(pairs, pairsFlag, t.version)
			if err != nil {
				return err
			}
		}
		trees = append(trees, t)
		for _, p := range pairs {
			j := &job{t: t, pair: p}
			all = append(all, j)
			perTree[t] = append(perTree[t], j)
		}
	}
	if jobs < 1 {
		jobs = 1
	}
	work := make(chan *job)
	var wg sync.WaitGroup
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j.res, j.err = extractPair(j.t, j.pair)
			}
		}()
	}
	for _, j := range all {
		work <- j
	}
	close(work)
	wg.Wait()
	for _, j := range all {
		if j.err != nil {
			return fmt.Errorf("%s %s: %w", j.t.version, j.pair, j.err)
		}
	}
	for _, t := range trees {
		js := perTree[t]
		results := make([]*pairResult, len(js))
		for i, j := range js {
			results[i] = j.res
		}
		n, err := writeTree(out, t, results)
		if err != nil {
			return err
		}
		if !quiet {
			fmt.Fprintf(os.Stderr, "extract: %s (%s): %d pairs, %d constants\n", t.version, t.goroot, len(js), n)
		}
	}
	if !quiet {
		fmt.Fprintf(os.Stderr, "extract: done in %.1fs\n", time.Since(start).Seconds())
	}
	return nil
}

func selectPairs(pairs []string, list, version string) ([]string, error) {
	known := map[string]bool{}
	for _, p := range pairs {
		known[p] = true
	}
	var sel []string
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !known[p] {
			return nil, fmt.Errorf("%s has no pair %s", version, p)
		}
		sel = append(sel, p)
	}
	return sel, nil
}
