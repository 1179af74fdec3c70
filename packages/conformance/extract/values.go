package main

// Turning go/constant values into JSON: integers up to 2^53 in magnitude as
// JSON numbers, larger ones as decimal strings, floats as numbers, booleans
// as booleans. Arrays are evaluated element by element from their composite
// literal.

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"math/big"
	"path/filepath"
	"strconv"
	"strings"
)

var maxSafe = new(big.Int).Lsh(big.NewInt(1), 53)

// encodeValue renders one constant value as JSON text.
func encodeValue(v constant.Value) (string, error) {
	switch v.Kind() {
	case constant.Bool:
		return strconv.FormatBool(constant.BoolVal(v)), nil
	case constant.Int:
		n, ok := new(big.Int).SetString(v.ExactString(), 10)
		if !ok {
			return "", fmt.Errorf("integer constant %s is not decimal", v.ExactString())
		}
		if new(big.Int).Abs(n).Cmp(maxSafe) <= 0 {
			return n.String(), nil
		}
		return strconv.Quote(n.String()), nil
	case constant.Float:
		if i := constant.ToInt(v); i.Kind() == constant.Int {
			return encodeValue(i)
		}
		f, _ := constant.Float64Val(v)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return "", fmt.Errorf("float constant %s does not fit a float64", v.ExactString())
		}
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	case constant.String:
		return strconv.Quote(constant.StringVal(v)), nil
	default:
		return "", fmt.Errorf("constant %s has unsupported kind %v", v.ExactString(), v.Kind())
	}
}

// declFile returns the file declaring obj, relative to GOROOT/src, with
// forward slashes.
func (t *tree) declFile(pos token.Pos) string {
	name := t.fset.Position(pos).Filename
	rel, err := filepath.Rel(filepath.Join(t.goroot, "src"), name)
	if err != nil {
		return filepath.ToSlash(name)
	}
	return filepath.ToSlash(rel)
}

// typeName renders a constant's type, unqualified within its own package.
func typeName(obj types.Object) string {
	return types.TypeString(obj.Type(), types.RelativeTo(obj.Pkg()))
}

// scalarValue evaluates a package-level constant.
func scalarValue(r *checked, name string) (types.Object, string, error) {
	obj := r.pkg.Scope().Lookup(name)
	if obj == nil {
		return nil, "", errMissing
	}
	k, ok := obj.(*types.Const)
	if !ok {
		return nil, "", fmt.Errorf("%s.%s is a %T, not a constant", r.pkg.Path(), name, obj)
	}
	js, err := encodeValue(k.Val())
	if err != nil {
		return nil, "", fmt.Errorf("%s.%s: %w", r.pkg.Path(), name, err)
	}
	return obj, js, nil
}

// arrayValue evaluates a package-level var initialised by an array literal
// whose elements are all constants (Go's generated tables, levelShift...).
func arrayValue(r *checked, name string) (types.Object, string, error) {
	obj := r.pkg.Scope().Lookup(name)
	if obj == nil {
		return nil, "", errMissing
	}
	if _, ok := obj.(*types.Var); !ok {
		return nil, "", fmt.Errorf("%s.%s is a %T, not a variable", r.pkg.Path(), name, obj)
	}
	lit := findLiteral(r.files, obj.Pos())
	if lit == nil {
		return nil, "", fmt.Errorf("%s.%s has no composite literal initialiser", r.pkg.Path(), name)
	}
	js, err := encodeArray(r.info, obj.Type(), lit)
	if err != nil {
		return nil, "", fmt.Errorf("%s.%s: %w", r.pkg.Path(), name, err)
	}
	return obj, js, nil
}

// findLiteral finds the composite literal assigned to the var declared at pos.
func findLiteral(files []*ast.File, pos token.Pos) *ast.CompositeLit {
	for _, f := range files {
		if pos < f.FileStart || pos > f.FileEnd {
			continue
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if id.Pos() == pos && i < len(vs.Values) {
						lit, _ := vs.Values[i].(*ast.CompositeLit)
						return lit
					}
				}
			}
		}
	}
	return nil
}

// encodeArray renders [N]T{...} as a JSON array of N elements, honouring
// keyed elements and zero-filling the ones the literal leaves out.
func encodeArray(info *types.Info, typ types.Type, lit *ast.CompositeLit) (string, error) {
	if info == nil {
		return "", fmt.Errorf("no type information recorded")
	}
	arr, ok := typ.Underlying().(*types.Array)
	if !ok {
		return "", fmt.Errorf("type %s is not an array", typ)
	}
	out := make([]string, arr.Len())
	idx := int64(0)
	for _, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			key := info.Types[kv.Key].Value
			if key == nil {
				return "", fmt.Errorf("non-constant array index")
			}
			idx, _ = constant.Int64Val(key)
			e = kv.Value
		}
		v := info.Types[e].Value
		if v == nil {
			return "", fmt.Errorf("element %d is not a constant", idx)
		}
		if idx < 0 || idx >= arr.Len() {
			return "", fmt.Errorf("element index %d out of range", idx)
		}
		js, err := encodeValue(v)
		if err != nil {
			return "", err
		}
		out[idx] = js
		idx++
	}
	for i := range out {
		if out[i] == "" {
			out[i] = "0"
		}
	}
	return "[" + strings.Join(out, ", ") + "]", nil
}

// fileDecls lists, in source order, the names of the constants and of the
// array-literal vars declared in the file named base of a checked package.
func fileDecls(fset *token.FileSet, r *checked, base string) (consts, vars []string, found bool) {
	for _, f := range r.files {
		if filepath.Base(fset.File(f.FileStart).Name()) != base {
			continue
		}
		found = true
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || (g.Tok != token.CONST && g.Tok != token.VAR) {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, id := range vs.Names {
					switch {
					case id.Name == "_":
					case g.Tok == token.CONST:
						consts = append(consts, id.Name)
					case i < len(vs.Values):
						if _, ok := vs.Values[i].(*ast.CompositeLit); ok {
							vars = append(vars, id.Name)
						}
					}
				}
			}
		}
	}
	return consts, vars, found
}
