// Command gofacts reads a Go source tree and prints, as JSON, the runtime
// facts that @gomalloc/os-mem and @gomalloc/persistent mirror: the constants
// of the OS-memory and persistent allocators, the names of the sysMemStat
// counters, sysReserveAligned's retry limit, and the texts of the runtime
// throws in those files. The test suites compare their code with these
// fixtures. It uses only the standard library and never runs the runtime.
//
// Regenerate (from packages/os-mem):
//
//	go run ./gen/gofacts/main.go -goroot "$(go env GOROOT)" > fixtures/go1.26.json
//	go run ./gen/gofacts/main.go -goroot /usr/lib/go-1.19 > fixtures/go1.19.json
//
// and copy both files to packages/persistent/fixtures/.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Files whose constants, stats and throws matter to os-mem and persistent.
var files = []string{
	"runtime/malloc.go", "runtime/mem.go", "runtime/mfixalloc.go", "runtime/mstats.go",
	"runtime/mgcpacer.go", "runtime/lock_futex.go", "runtime/lock_spinbit.go", "runtime/lock_js.go",
	"runtime/mem_sbrk.go", "runtime/mem_js.go", "runtime/mem_linux.go", "runtime/mem_windows.go",
	"runtime/sizeclasses.go", "internal/runtime/gc/sizeclasses.go",
}

// Constants reported (when the tree defines them).
var wanted = []string{"_FixAllocChunk", "persistentChunkSize", "maxBlock", "pageSize", "_PageShift", "PageShift"}

type facts struct {
	GoVersion             string            `json:"goVersion"`
	Constants             map[string]uint64 `json:"constants"`
	SysMemStats           []string          `json:"sysMemStats"`
	ReserveAlignedRetries int64             `json:"reserveAlignedRetries"`
	Throws                []string          `json:"throws"`
}

func main() {
	goroot := flag.String("goroot", "", "root of the Go source tree")
	flag.Parse()
	if *goroot == "" {
		fmt.Fprintln(os.Stderr, "usage: gofacts -goroot DIR")
		os.Exit(2)
	}
	version, err := os.ReadFile(filepath.Join(*goroot, "VERSION"))
	if err != nil {
		fail(err)
	}
	f := facts{
		GoVersion: strings.TrimSpace(strings.SplitN(string(version), "\n", 2)[0]),
		Constants: map[string]uint64{},
	}
	exprs := map[string]ast.Expr{}
	throws := map[string]bool{}
	stats := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		file, err := parser.ParseFile(fset, filepath.Join(*goroot, "src", name), nil, 0)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			fail(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i < len(n.Values) {
						exprs[id.Name] = n.Values[i]
					}
				}
			case *ast.Field:
				if t, ok := n.Type.(*ast.Ident); ok && t.Name == "sysMemStat" {
					for _, id := range n.Names {
						stats[id.Name] = true
					}
				}
			case *ast.CallExpr:
				if fn, ok := n.Fun.(*ast.Ident); ok && fn.Name == "throw" && len(n.Args) == 1 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, err := strconv.Unquote(lit.Value)
						if err == nil {
							throws[s] = true
						}
					}
				}
			case *ast.FuncDecl:
				if n.Name.Name == "sysReserveAligned" && n.Body != nil {
					ast.Inspect(n.Body, func(m ast.Node) bool {
						if b, ok := m.(*ast.BinaryExpr); ok && b.Op == token.EQL {
							if id, ok := b.X.(*ast.Ident); ok && id.Name == "retries" {
								v, _ := constant.Int64Val(eval(b.Y, exprs))
								f.ReserveAlignedRetries = v
							}
						}
						return true
					})
				}
			}
			return true
		})
	}
	for _, name := range wanted {
		if e, ok := exprs[name]; ok {
			v, exact := constant.Uint64Val(eval(e, exprs))
			if !exact {
				fail(fmt.Errorf("%s is not a uint64 constant", name))
			}
			f.Constants[name] = v
		}
	}
	for s := range stats {
		f.SysMemStats = append(f.SysMemStats, s)
	}
	for s := range throws {
		f.Throws = append(f.Throws, s)
	}
	sort.Strings(f.SysMemStats)
	sort.Strings(f.Throws)
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

// eval evaluates an integer constant expression, resolving identifiers (and
// package-qualified ones such as gc.PageShift) among the collected constants.
func eval(e ast.Expr, exprs map[string]ast.Expr) constant.Value {
	switch e := e.(type) {
	case *ast.BasicLit:
		return constant.MakeFromLiteral(e.Value, e.Kind, 0)
	case *ast.ParenExpr:
		return eval(e.X, exprs)
	case *ast.Ident:
		if d, ok := exprs[e.Name]; ok {
			return eval(d, exprs)
		}
	case *ast.SelectorExpr:
		if d, ok := exprs[e.Sel.Name]; ok {
			return eval(d, exprs)
		}
	case *ast.UnaryExpr:
		return constant.UnaryOp(e.Op, eval(e.X, exprs), 0)
	case *ast.BinaryExpr:
		x, y := eval(e.X, exprs), eval(e.Y, exprs)
		if e.Op == token.SHL || e.Op == token.SHR {
			s, _ := constant.Uint64Val(y)
			return constant.Shift(x, e.Op, uint(s))
		}
		return constant.BinaryOp(x, e.Op, y)
	}
	fail(fmt.Errorf("cannot evaluate %T", e))
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gofacts:", err)
	os.Exit(1)
}
