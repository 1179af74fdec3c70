package main

// Loading and type-checking a GOROOT for one GOOS/GOARCH pair. A tree keeps
// every file it has read and parsed, so the pairs of one GOROOT share the
// parse work: go/build selects each pair's files from the cached bytes and
// go/types checks the shared (read-only) syntax trees.

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// tree is one GOROOT with its caches. Safe for concurrent use.
type tree struct {
	goroot  string
	version string // e.g. "go1.26.8"
	release string // e.g. "1.26"
	fset    *token.FileSet

	mu    sync.Mutex
	data  map[string]*cached[[]byte]
	dirs  map[string]*cached[[]fs.FileInfo]
	files map[string]*cached[*ast.File]
}

// cached is one lazily computed value, computed once.
type cached[T any] struct {
	once sync.Once
	val  T
	err  error
}

func load[T any](t *tree, m map[string]*cached[T], key string, f func() (T, error)) (T, error) {
	t.mu.Lock()
	c := m[key]
	if c == nil {
		c = &cached[T]{}
		m[key] = c
	}
	t.mu.Unlock()
	c.once.Do(func() { c.val, c.err = f() })
	return c.val, c.err
}

func openTree(goroot string) (*tree, error) {
	abs, err := filepath.Abs(goroot)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(filepath.Join(abs, "VERSION"))
	if err != nil {
		return nil, fmt.Errorf("%s is not a GOROOT (no VERSION file): %w", goroot, err)
	}
	version := strings.TrimSpace(strings.SplitN(string(raw), "\n", 2)[0])
	release, err := releaseOf(version)
	if err != nil {
		return nil, err
	}
	if st, err := os.Stat(filepath.Join(abs, "src", "runtime")); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("%s has no src/runtime", goroot)
	}
	return &tree{
		goroot:  abs,
		version: version,
		release: release,
		fset:    token.NewFileSet(),
		data:    map[string]*cached[[]byte]{},
		dirs:    map[string]*cached[[]fs.FileInfo]{},
		files:   map[string]*cached[*ast.File]{},
	}, nil
}

// releaseOf turns "go1.19.8" or "go1.26rc1" into "1.19" / "1.26".
func releaseOf(version string) (string, error) {
	v, ok := strings.CutPrefix(version, "go")
	if !ok {
		return "", fmt.Errorf("unrecognised Go version %q", version)
	}
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return "", fmt.Errorf("unrecognised Go version %q", version)
	}
	minor := parts[1]
	for i, r := range minor {
		if r < '0' || r > '9' {
			minor = minor[:i]
			break
		}
	}
	if parts[0] != "1" || minor == "" {
		return "", fmt.Errorf("unrecognised Go version %q", version)
	}
	return "1." + minor, nil
}

// minorOf returns N for release "1.N".
func minorOf(release string) int {
	n := 0
	for _, r := range strings.TrimPrefix(release, "1.") {
		n = n*10 + int(r-'0')
	}
	return n
}

func (t *tree) readFile(path string) ([]byte, error) {
	return load(t, t.data, path, func() ([]byte, error) { return os.ReadFile(path) })
}

func (t *tree) readDir(dir string) ([]fs.FileInfo, error) {
	return load(t, t.dirs, dir, func() ([]fs.FileInfo, error) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		infos := make([]fs.FileInfo, 0, len(entries))
		for _, e := range entries {
			info, err := e.Info()
			if err != nil {
				return nil, err
			}
			infos = append(infos, info)
		}
		return infos, nil
	})
}

func (t *tree) parse(path string) (*ast.File, error) {
	return load(t, t.files, path, func() (*ast.File, error) {
		src, err := t.readFile(path)
		if err != nil {
			return nil, err
		}
		return parser.ParseFile(t.fset, path, src, parser.SkipObjectResolution)
	})
}

// context returns the go/build context of one pair: cgo off, no extra tool
// tags (every GOEXPERIMENT off, baseline instruction sets), the release tags
// of the tree's Go version, and reads served from the tree's cache.
func (t *tree) context(goos, goarch string) *build.Context {
	ctxt := build.Context{
		GOARCH:     goarch,
		GOOS:       goos,
		GOROOT:     t.goroot,
		Compiler:   "gc",
		CgoEnabled: false,
	}
	for i := 1; i <= minorOf(t.release); i++ {
		ctxt.ReleaseTags = append(ctxt.ReleaseTags, fmt.Sprintf("go1.%d", i))
	}
	ctxt.ReadDir = t.readDir
	ctxt.OpenFile = func(path string) (io.ReadCloser, error) {
		b, err := t.readFile(path)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	ctxt.IsDir = func(path string) bool {
		st, err := os.Stat(path)
		return err == nil && st.IsDir()
	}
	return &ctxt
}

// pkgDir finds the directory of a standard-library import path.
func (t *tree) pkgDir(path string) (string, bool) {
	for _, dir := range []string{filepath.Join(t.goroot, "src", path), filepath.Join(t.goroot, "src", "vendor", path)} {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir, true
		}
	}
	return "", false
}

// checked is one type-checked package of one pair.
type checked struct {
	pkg   *types.Package
	files []*ast.File
	info  *types.Info // nil unless the package was asked for with detail
}

// checker type-checks the packages of one pair, dependencies first. It is
// the types.Importer of every package it checks. Not safe for concurrent use.
type checker struct {
	t      *tree
	ctxt   *build.Context
	sizes  types.Sizes
	detail map[string]bool // packages whose expression types are recorded
	done   map[string]*checked
	active map[string]bool
}

func (t *tree) newChecker(goos, goarch string, detail ...string) (*checker, error) {
	sizes := types.SizesFor("gc", goarch)
	if sizes == nil {
		return nil, fmt.Errorf("go/types has no sizes for GOARCH=%s", goarch)
	}
	c := &checker{t: t, ctxt: t.context(goos, goarch), sizes: sizes, detail: map[string]bool{},
		done: map[string]*checked{}, active: map[string]bool{}}
	for _, p := range detail {
		c.detail[p] = true
	}
	return c, nil
}

func (c *checker) Import(path string) (*types.Package, error) {
	r, err := c.check(path)
	if err != nil {
		return nil, err
	}
	return r.pkg, nil
}

var errNoPackage = errors.New("package not in GOROOT")

// check type-checks one package (function bodies skipped: only declarations
// matter for constants) and returns it; type errors are fatal.
func (c *checker) check(path string) (*checked, error) {
	if path == "unsafe" {
		return &checked{pkg: types.Unsafe}, nil
	}
	if r := c.done[path]; r != nil {
		return r, nil
	}
	if c.active[path] {
		return nil, fmt.Errorf("import cycle through %s", path)
	}
	c.active[path] = true
	defer delete(c.active, path)

	dir, ok := c.t.pkgDir(path)
	if !ok {
		return nil, fmt.Errorf("%s: %w", path, errNoPackage)
	}
	bp, err := c.ctxt.ImportDir(dir, 0)
	if err != nil {
		return nil, fmt.Errorf("go/build %s for %s/%s: %w", path, c.ctxt.GOOS, c.ctxt.GOARCH, err)
	}
	names := append([]string(nil), bp.GoFiles...)
	sort.Strings(names)
	files := make([]*ast.File, 0, len(names))
	for _, name := range names {
		f, err := c.t.parse(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	var typeErrs []error
	conf := types.Config{
		Importer:         c,
		Sizes:            c.sizes,
		IgnoreFuncBodies: true,
		Error:            func(err error) { typeErrs = append(typeErrs, err) },
	}
	var info *types.Info
	if c.detail[path] {
		info = &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Defs: map[*ast.Ident]types.Object{}}
	}
	pkg, _ := conf.Check(path, c.t.fset, files, info)
	if len(typeErrs) > 0 {
		msgs := make([]string, 0, 3)
		for i, e := range typeErrs {
			if i == 3 {
				msgs = append(msgs, fmt.Sprintf("... and %d more", len(typeErrs)-3))
				break
			}
			msgs = append(msgs, e.Error())
		}
		return nil, fmt.Errorf("type-checking %s for %s/%s:\n  %s", path, c.ctxt.GOOS, c.ctxt.GOARCH, strings.Join(msgs, "\n  "))
	}
	r := &checked{pkg: pkg, files: files, info: info}
	c.done[path] = r
	return r, nil
}
