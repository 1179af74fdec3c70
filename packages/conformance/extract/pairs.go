package main

// The GOOS/GOARCH pairs of a GOROOT, read from its source the way
// `go tool dist list` computes them: the keys of cmd/dist's cgoEnabled map,
// minus the ports marked incomplete (Go 1.19) or broken (Go 1.26).

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
)

// distList returns the sorted pairs `go tool dist list` prints for the tree.
func (t *tree) distList() ([]string, error) {
	path := filepath.Join(t.goroot, "src", "cmd", "dist", "build.go")
	src, err := t.readFile(path)
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	maps := map[string]map[string]bool{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, id := range vs.Names {
				if i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.CompositeLit)
				if !ok {
					continue
				}
				if m, ok := stringBoolMap(lit); ok {
					maps[id.Name] = m
				}
			}
		}
	}
	cgo := maps["cgoEnabled"]
	if cgo == nil {
		return nil, fmt.Errorf("%s: no cgoEnabled map", path)
	}
	var pairs []string
	for p := range cgo {
		if maps["incomplete"][p] || maps["broken"][p] {
			continue
		}
		pairs = append(pairs, p)
	}
	sort.Strings(pairs)
	return pairs, nil
}

// stringBoolMap reads a map[string]bool literal whose values are true/false.
func stringBoolMap(lit *ast.CompositeLit) (map[string]bool, bool) {
	mt, ok := lit.Type.(*ast.MapType)
	if !ok {
		return nil, false
	}
	if k, ok := mt.Key.(*ast.Ident); !ok || k.Name != "string" {
		return nil, false
	}
	if v, ok := mt.Value.(*ast.Ident); !ok || v.Name != "bool" {
		return nil, false
	}
	m := map[string]bool{}
	for _, e := range lit.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			return nil, false
		}
		kl, ok := kv.Key.(*ast.BasicLit)
		if !ok || kl.Kind != token.STRING {
			return nil, false
		}
		key, err := strconv.Unquote(kl.Value)
		if err != nil {
			return nil, false
		}
		vi, ok := kv.Value.(*ast.Ident)
		if !ok || (vi.Name != "true" && vi.Name != "false") {
			return nil, false
		}
		m[key] = vi.Name == "true"
	}
	return m, true
}
