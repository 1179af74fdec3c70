// Command goracle runs Go's own size-class generator with other parameters and
// records what it does, as test fixtures for @gomalloc/sizeclass.
//
// For each case below it copies the generator out of a GOROOT (Go 1.19:
// src/runtime/mksizeclasses.go; Go 1.26: src/runtime/_mkmalloc/constants.go,
// mksizeclasses.go and the makeSizeToSizeClass function of mkmalloc.go), puts
// the case's numbers in place of Go's constants with go/ast, runs it the way
// `-stdout` does, and records the gofmt'ed output, or the panic and whatever
// the generator printed before it. It also records how Go's fmt writes the
// generator's "%8.2f" for a range of float64 values (exact ties included).
//
// Standard library only. Regenerate the fixture with
//
//	pnpm --filter @gomalloc/sizeclass fixtures
//
// (go run ./goracle -o test/fixtures/mksizeclasses-go.json).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Params are the generator's inputs, named as in @gomalloc/sizeclass.
// ExpectNumSizeClasses nil removes Go's class-count check.
type Params struct {
	PageShift            int  `json:"pageShift"`
	MaxSmallSize         int  `json:"maxSmallSize"`
	SmallSizeDiv         int  `json:"smallSizeDiv"`
	SmallSizeMax         int  `json:"smallSizeMax"`
	LargeSizeDiv         int  `json:"largeSizeDiv"`
	MinHeapAlign         int  `json:"minHeapAlign"`
	TinySize             int  `json:"tinySize"`
	SmallScanNoHeaderMax int  `json:"smallScanNoHeaderMax"`
	ExpectNumSizeClasses *int `json:"expectNumSizeClasses"`
}

// Result is one fixture entry.
type Result struct {
	Name      string  `json:"name"`
	GoVersion string  `json:"goVersion"`
	Params    Params  `json:"params"`
	Output    *string `json:"output"`
	Panic     *string `json:"panic"`
	Printed   string  `json:"printed"`
	// CompileError is set when the generator itself does not compile with
	// these constants (the compiler's message, without file and position).
	CompileError *string `json:"compileError"`
}

func defaults() Params {
	n := 68
	return Params{13, 32768, 8, 1024, 128, 8, 16, 512, &n}
}

type tc struct {
	name string
	edit func(p *Params)
}

func count(n int) *int { return &n }

// cases: Go's defaults, accepted variants, and one of each refusal.
var cases = []tc{
	{"defaults", func(p *Params) {}},
	{"pageShift 12, Go's class count check kept", func(p *Params) { p.PageShift = 12 }},
	{"pageShift 12", func(p *Params) { p.PageShift = 12; p.ExpectNumSizeClasses = nil }},
	{"pageShift 14", func(p *Params) { p.PageShift = 14; p.ExpectNumSizeClasses = nil }},
	{"pageShift 15", func(p *Params) { p.PageShift = 15; p.ExpectNumSizeClasses = nil }},
	{"pageShift 16", func(p *Params) { p.PageShift = 16; p.ExpectNumSizeClasses = nil }},
	{"pageShift 16, maxSmallSize 65536", func(p *Params) { p.PageShift = 16; p.MaxSmallSize = 65536; p.ExpectNumSizeClasses = nil }},
	{"pageShift 10", func(p *Params) { p.PageShift = 10; p.ExpectNumSizeClasses = nil }},
	{"pageShift 4, maxSmallSize 1024", func(p *Params) { p.PageShift = 4; p.MaxSmallSize = 1024; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 16384", func(p *Params) { p.MaxSmallSize = 16384; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 65536", func(p *Params) { p.MaxSmallSize = 65536; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 131072", func(p *Params) { p.MaxSmallSize = 131072; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 262144", func(p *Params) { p.MaxSmallSize = 262144; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 32832 (not a multiple of largeSizeDiv past smallSizeMax)", func(p *Params) { p.MaxSmallSize = 32832; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 1000 (below smallSizeMax)", func(p *Params) { p.MaxSmallSize = 1000; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 256", func(p *Params) { p.MaxSmallSize = 256; p.SmallSizeMax = 128; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 512, smallSizeMax 2048", func(p *Params) { p.MaxSmallSize = 512; p.SmallSizeMax = 2048; p.ExpectNumSizeClasses = nil }},
	{"smallSizeDiv 16", func(p *Params) { p.SmallSizeDiv = 16 }},
	{"smallSizeDiv 16, smallSizeMax 2048", func(p *Params) { p.SmallSizeDiv = 16; p.SmallSizeMax = 2048 }},
	{"largeSizeDiv 256", func(p *Params) { p.LargeSizeDiv = 256; p.ExpectNumSizeClasses = nil }},
	{"largeSizeDiv 64", func(p *Params) { p.LargeSizeDiv = 64; p.ExpectNumSizeClasses = nil }},
	{"largeSizeDiv 96 (not a power of two)", func(p *Params) { p.LargeSizeDiv = 96; p.ExpectNumSizeClasses = nil }},
	{"minHeapAlign 16", func(p *Params) { p.MinHeapAlign = 16; p.ExpectNumSizeClasses = nil }},
	{"minHeapAlign 4", func(p *Params) { p.MinHeapAlign = 4; p.ExpectNumSizeClasses = nil }},
	{"minHeapAlign 12 (not a power of two)", func(p *Params) { p.MinHeapAlign = 12 }},
	{"minHeapAlign 1 (divmagic wraps to 0)", func(p *Params) { p.MinHeapAlign = 1; p.ExpectNumSizeClasses = nil }},
	{"maxSmallSize 65536, pageShift 12", func(p *Params) { p.MaxSmallSize = 65536; p.PageShift = 12; p.ExpectNumSizeClasses = nil }},
	{"tinySize 24", func(p *Params) { p.TinySize = 24 }},
	{"tinySize 40000 (beyond every class)", func(p *Params) { p.TinySize = 40000 }},
	{"smallScanNoHeaderMax 1024", func(p *Params) { p.SmallScanNoHeaderMax = 1024 }},
	{"smallScanNoHeaderMax 40000 (beyond every class)", func(p *Params) { p.SmallScanNoHeaderMax = 40000 }},
	{"count check 67", func(p *Params) { p.ExpectNumSizeClasses = count(67) }},
}

func main() {
	out := flag.String("o", "", "output file (default stdout)")
	goroot119 := flag.String("goroot119", "/usr/lib/go-1.19", "Go 1.19 GOROOT")
	goroot126 := flag.String("goroot126", "", "Go 1.26 GOROOT (default: `go env GOROOT`)")
	only := flag.String("run", "", "only cases whose name contains this")
	flag.Parse()
	log.SetFlags(0)
	if *goroot126 == "" {
		b, err := exec.Command("go", "env", "GOROOT").Output()
		if err != nil {
			log.Fatalf("go env GOROOT: %v", err)
		}
		*goroot126 = strings.TrimSpace(string(b))
	}
	var results []Result
	for _, c := range cases {
		if !strings.Contains(c.name, *only) {
			continue
		}
		for _, v := range []string{"1.19", "1.26"} {
			p := defaults()
			c.edit(&p)
			var r Result
			if v == "1.19" {
				r = run119(*goroot119, p)
			} else {
				r = run126(*goroot126, p)
			}
			r.Name, r.GoVersion, r.Params = c.name, v, p
			results = append(results, r)
			fmt.Fprintf(os.Stderr, "%-4s %-60s %s\n", v, c.name, summary(r))
		}
	}
	doc := struct {
		Generator []Result    `json:"generator"`
		Fixed2    []fixedCase `json:"fixed2"`
	}{results, fixed2Cases()}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	b = append(b, '\n')
	if *out == "" {
		os.Stdout.Write(b)
	} else if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
}

type fixedCase struct {
	V float64 `json:"v"`
	S string  `json:"s"`
}

// fixed2Cases: Go's "%8.2f" of multiples of 1/8 (every third decimal a tie),
// of 1/1000 (not representable), and of ratios like the generator's max waste.
func fixed2Cases() []fixedCase {
	var vs []float64
	for k := 0; k <= 800; k++ {
		vs = append(vs, float64(k)/8)
	}
	for k := 0; k <= 2000; k += 7 {
		vs = append(vs, float64(k)/1000)
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 500; i++ {
		b := 1 + r.Intn(1<<20)
		vs = append(vs, 100*(float64(r.Intn(b))/float64(b)))
	}
	vs = append(vs, 1e6+0.125, 123456789.375, 0.005, 0.015, 0.025, 1e-300)
	out := make([]fixedCase, len(vs))
	for i, v := range vs {
		out[i] = fixedCase{v, fmt.Sprintf("%8.2f", v)}
	}
	return out
}

func summary(r Result) string {
	if r.Panic != nil {
		return "panic: " + *r.Panic
	}
	if r.CompileError != nil {
		return "compile error: " + *r.CompileError
	}
	return fmt.Sprintf("output, %d bytes", len(*r.Output))
}

// run119 runs Go 1.19's mksizeclasses.go -stdout with Go 1.19's toolchain.
func run119(goroot string, p Params) Result {
	fset := token.NewFileSet()
	f := parseFile(fset, filepath.Join(goroot, "src/runtime/mksizeclasses.go"))
	setConsts(f, map[string]int{
		"maxSmallSize": p.MaxSmallSize, "smallSizeDiv": p.SmallSizeDiv, "smallSizeMax": p.SmallSizeMax,
		"largeSizeDiv": p.LargeSizeDiv, "pageShift": p.PageShift,
	})
	setAlignInit(f, p.MinHeapAlign)
	setCountCheck(f, p.ExpectNumSizeClasses)
	dir := tempDir()
	defer os.RemoveAll(dir)
	writeFile(fset, filepath.Join(dir, "mksizeclasses.go"), f)
	return execGo(dir, filepath.Join(goroot, "bin/go"), "run", "mksizeclasses.go", "-stdout")
}

// run126 runs Go 1.26's generator on the path its -stdout flag takes:
// makeClasses, makeSizeToSizeClass, generateSizeClasses, format.Source.
func run126(goroot string, p Params) Result {
	src := filepath.Join(goroot, "src/runtime/_mkmalloc")
	fset := token.NewFileSet()
	consts := parseFile(fset, filepath.Join(src, "constants.go"))
	setConsts(consts, map[string]int{
		"minHeapAlign": p.MinHeapAlign, "maxSmallSize": p.MaxSmallSize, "smallSizeDiv": p.SmallSizeDiv,
		"smallSizeMax": p.SmallSizeMax, "largeSizeDiv": p.LargeSizeDiv, "pageShift": p.PageShift,
		"tinySize": p.TinySize, "smallScanNoHeaderMax": p.SmallScanNoHeaderMax,
	})
	gen := parseFile(fset, filepath.Join(src, "mksizeclasses.go"))
	setCountCheck(gen, p.ExpectNumSizeClasses)
	mk := parseFile(fset, filepath.Join(src, "mkmalloc.go"))
	var fn *ast.FuncDecl
	for _, d := range mk.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "makeSizeToSizeClass" {
			fn = fd
		}
	}
	if fn == nil {
		log.Fatal("makeSizeToSizeClass not found in mkmalloc.go")
	}
	var body bytes.Buffer
	body.WriteString("package main\n\nimport (\n\t\"flag\"\n\t\"go/format\"\n\t\"log\"\n\t\"os\"\n)\n\n")
	body.WriteString("var stdout = flag.Bool(\"stdout\", true, \"\")\n\n")
	if err := format.Node(&body, fset, fn); err != nil {
		log.Fatal(err)
	}
	body.WriteString("\n\nfunc main() {\n\tclasses := makeClasses()\n\t_ = makeSizeToSizeClass(classes)\n" +
		"\tout, err := format.Source(generateSizeClasses(classes))\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n" +
		"\tos.Stdout.Write(out)\n}\n")
	dir := tempDir()
	defer os.RemoveAll(dir)
	writeFile(fset, filepath.Join(dir, "constants.go"), consts)
	writeFile(fset, filepath.Join(dir, "mksizeclasses.go"), gen)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), body.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module goracle126\n\ngo 1.24\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	return execGo(dir, filepath.Join(goroot, "bin/go"), "run", ".")
}

func parseFile(fset *token.FileSet, path string) *ast.File {
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		log.Fatal(err)
	}
	return f
}

func lit(n int) *ast.BasicLit { return &ast.BasicLit{Kind: token.INT, Value: strconv.Itoa(n)} }

// setConsts replaces the value of each named top-level constant; every name must be found.
func setConsts(f *ast.File, vals map[string]int) {
	seen := map[string]bool{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if v, ok := vals[n.Name]; ok && i < len(vs.Values) {
					vs.Values[i] = lit(v)
					seen[n.Name] = true
				}
			}
		}
	}
	for n := range vals {
		if !seen[n] {
			log.Fatalf("constant %s not found", n)
		}
	}
}

// setAlignInit replaces Go 1.19's literal `align := 8` in makeClasses.
func setAlignInit(f *ast.File, v int) {
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if ok && len(as.Lhs) == 1 && len(as.Rhs) == 1 && as.Tok == token.DEFINE {
			if id, ok := as.Lhs[0].(*ast.Ident); ok && id.Name == "align" {
				as.Rhs[0] = lit(v)
				found = true
			}
		}
		return true
	})
	if !found {
		log.Fatal("align := 8 not found")
	}
}

// setCountCheck replaces the 68 of `len(classes) != 68`, or removes the check when n is nil.
func setCountCheck(f *ast.File, n *int) {
	found := false
	ast.Inspect(f, func(node ast.Node) bool {
		is, ok := node.(*ast.IfStmt)
		if !ok {
			return true
		}
		be, ok := is.Cond.(*ast.BinaryExpr)
		if !ok || be.Op != token.NEQ {
			return true
		}
		call, ok := be.X.(*ast.CallExpr)
		if !ok {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "len" {
			return true
		}
		if _, ok := be.Y.(*ast.BasicLit); !ok {
			return true
		}
		found = true
		if n == nil {
			is.Cond = ast.NewIdent("false")
		} else {
			be.Y = lit(*n)
		}
		return true
	})
	if !found {
		log.Fatal("class count check not found")
	}
}

func writeFile(fset *token.FileSet, path string, f *ast.File) {
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func tempDir() string {
	d, err := os.MkdirTemp("", "goracle")
	if err != nil {
		log.Fatal(err)
	}
	return d
}

// execGo runs the generator; a panic is read from stderr's "panic: " line.
func execGo(dir, gobin string, args ...string) Result {
	cmd := exec.Command(gobin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod", "GO111MODULE=auto")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		s := stdout.String()
		return Result{Output: &s}
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if msg, ok := strings.CutPrefix(line, "panic: "); ok {
			msg = strings.TrimSuffix(msg, " [recovered]")
			return Result{Panic: &msg, Printed: strings.TrimRight(stdout.String(), "\n")}
		}
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(line, "./") && strings.Count(line, ":") >= 4 {
			msg := strings.TrimSpace(strings.SplitN(line, ":", 4)[3])
			return Result{CompileError: &msg}
		}
	}
	log.Fatalf("generator failed without a panic: %v\n%s", err, stderr.String())
	return Result{}
}
