package main

// Extraction for one pair, and the fixture files for one tree.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

var errMissing = errors.New("not declared")

// entry is one extracted constant: its JSON value and where Go declares it.
type entry struct {
	name, json, pkg, file, typ string
}

type sizeClassResult struct {
	pkg, file      string
	consts, tables []entry
}

type pairResult struct {
	pair      string
	consts    []entry
	sizeclass *sizeClassResult
}

func extractPair(t *tree, pair string) (*pairResult, error) {
	goos, goarch, ok := strings.Cut(pair, "/")
	if !ok {
		return nil, fmt.Errorf("bad pair %q", pair)
	}
	list, required := wantsFor(t.release)
	scPkg := sizeClassPackage(t.release)
	if !required {
		if _, err := os.Stat(filepath.Join(t.goroot, "src", pkgGC126, "sizeclasses.go")); err != nil {
			scPkg = pkgRuntime
		}
	}
	c, err := t.newChecker(goos, goarch, pkgRuntime, scPkg)
	if err != nil {
		return nil, err
	}
	if _, err := c.check(pkgRuntime); err != nil {
		return nil, err
	}
	res := &pairResult{pair: pair}
	for _, wnt := range list {
		r, err := c.check(wnt.pkg)
		if errors.Is(err, errNoPackage) && !required {
			continue
		}
		if err != nil {
			return nil, err
		}
		get := scalarValue
		if wnt.array {
			get = arrayValue
		}
		obj, js, err := get(r, wnt.name)
		if errors.Is(err, errMissing) {
			if required {
				return nil, fmt.Errorf("%s.%s is %v in %s", wnt.pkg, wnt.name, err, t.version)
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		res.consts = append(res.consts, entry{name: wnt.name, json: js, pkg: wnt.pkg, file: t.declFile(obj.Pos()), typ: typeName(obj)})
	}
	sc, err := c.check(scPkg)
	if err != nil {
		return nil, err
	}
	res.sizeclass, err = sizeClasses(t, sc)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sizeClasses evaluates every constant and table of the generated
// sizeclasses.go of the checked package.
func sizeClasses(t *tree, r *checked) (*sizeClassResult, error) {
	consts, vars, found := fileDecls(t.fset, r, "sizeclasses.go")
	if !found {
		return nil, fmt.Errorf("%s has no sizeclasses.go", r.pkg.Path())
	}
	sc := &sizeClassResult{pkg: r.pkg.Path(), file: r.pkg.Path() + "/sizeclasses.go"}
	for _, name := range consts {
		obj, js, err := scalarValue(r, name)
		if err != nil {
			return nil, err
		}
		sc.consts = append(sc.consts, entry{name: name, json: js, typ: typeName(obj)})
	}
	for _, name := range vars {
		obj, js, err := arrayValue(r, name)
		if err != nil {
			return nil, err
		}
		sc.tables = append(sc.tables, entry{name: name, json: js, typ: typeName(obj)})
	}
	if len(sc.tables) == 0 {
		return nil, fmt.Errorf("%s/sizeclasses.go declares no tables", r.pkg.Path())
	}
	return sc, nil
}

// writeTree writes the three fixture files of one tree and returns the
// number of constants per pair (the largest).
func writeTree(out string, t *tree, results []*pairResult) (int, error) {
	dir := filepath.Join(out, "go"+t.release)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	var b strings.Builder
	b.WriteString("{\n")
	most := 0
	for i, r := range results {
		most = max(most, len(r.consts))
		fmt.Fprintf(&b, "  %s: {\n", strconv.Quote(r.pair))
		for k, e := range r.consts {
			fmt.Fprintf(&b, "    %s: %s%s\n", strconv.Quote(e.name), e.json, comma(k, len(r.consts)))
		}
		fmt.Fprintf(&b, "  }%s\n", comma(i, len(results)))
	}
	b.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "constants.json"), []byte(b.String()), 0o644); err != nil {
		return 0, err
	}

	sc, err := sameSizeClasses(results)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", t.version, err)
	}
	b.Reset()
	fmt.Fprintf(&b, "{\n  \"goVersion\": %s,\n  \"package\": %s,\n  \"file\": %s,\n", strconv.Quote(t.version), strconv.Quote(sc.pkg), strconv.Quote(sc.file))
	writeGroup(&b, "constants", sc.consts, ",")
	writeGroup(&b, "tables", sc.tables, "")
	b.WriteString("}\n")
	if err := os.WriteFile(filepath.Join(dir, "sizeclasses.json"), []byte(b.String()), 0o644); err != nil {
		return 0, err
	}

	return most, writeMeta(dir, t, results)
}

func writeGroup(b *strings.Builder, key string, es []entry, trail string) {
	fmt.Fprintf(b, "  %s: {\n", strconv.Quote(key))
	for k, e := range es {
		fmt.Fprintf(b, "    %s: %s%s\n", strconv.Quote(e.name), e.json, comma(k, len(es)))
	}
	fmt.Fprintf(b, "  }%s\n", trail)
}

// sameSizeClasses checks that every pair sees the same size-class file (it
// has no build constraints) and returns it.
func sameSizeClasses(results []*pairResult) (*sizeClassResult, error) {
	render := func(sc *sizeClassResult) string {
		var s strings.Builder
		for _, e := range append(append([]entry(nil), sc.consts...), sc.tables...) {
			s.WriteString(e.name + "=" + e.json + ";")
		}
		return s.String()
	}
	first := results[0].sizeclass
	want := render(first)
	for _, r := range results[1:] {
		if render(r.sizeclass) != want {
			return nil, fmt.Errorf("size-class tables of %s differ from those of %s", r.pair, results[0].pair)
		}
	}
	return first, nil
}

// writeMeta records the Go version, the pairs, and for every constant its
// package, the files declaring it and its Go type (sets over all pairs).
func writeMeta(dir string, t *tree, results []*pairResult) error {
	type info struct {
		pkg          string
		files, types map[string]bool
		pairs        int
	}
	var order []string
	infos := map[string]*info{}
	for _, r := range results {
		for _, e := range r.consts {
			in := infos[e.name]
			if in == nil {
				in = &info{pkg: e.pkg, files: map[string]bool{}, types: map[string]bool{}}
				infos[e.name] = in
				order = append(order, e.name)
			}
			in.files[e.file] = true
			in.types[e.typ] = true
			in.pairs++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{\n  \"goVersion\": %s,\n  \"release\": %s,\n", strconv.Quote(t.version), strconv.Quote(t.release))
	b.WriteString("  \"regenerate\": \"pnpm --filter @gomalloc/conformance extract\",\n")
	b.WriteString("  \"pairs\": [")
	for i, r := range results {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(r.pair))
	}
	b.WriteString("],\n  \"constants\": {\n")
	for i, name := range order {
		in := infos[name]
		fmt.Fprintf(&b, "    %s: { \"package\": %s, \"files\": %s, \"types\": %s, \"pairs\": %d }%s\n",
			strconv.Quote(name), strconv.Quote(in.pkg), quotedSet(in.files), quotedSet(in.types), in.pairs, comma(i, len(order)))
	}
	b.WriteString("  }\n}\n")
	return os.WriteFile(filepath.Join(dir, "meta.json"), []byte(b.String()), 0o644)
}

func quotedSet(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, strconv.Quote(k))
	}
	sort.Strings(keys)
	return "[" + strings.Join(keys, ", ") + "]"
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}
