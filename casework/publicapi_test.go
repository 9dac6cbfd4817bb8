package casework_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// No exported function, method or struct field of a public package names a
// type from an internal package: an importer could not name it, and every
// change to our plumbing would change the public API.
func TestPublicAPINamesNoInternalType(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{.Dir}}", "github.com/grassroots-policing/grassroots/...").CombinedOutput()
	require.NoError(t, err, "%s", out)
	var leaks []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, dir, _ := strings.Cut(line, " ")
		if strings.Contains(path, "/internal/") || strings.HasSuffix(path, "/internal") || strings.Contains(path, "/examples") {
			continue
		}
		leaks = append(leaks, internalNamesIn(t, dir)...)
	}
	require.Empty(t, leaks)
}

// internalNamesIn parses the package in dir and lists the exported
// declarations whose signatures or fields name an internal package.
func internalNamesIn(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var leaks []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		internal := map[string]bool{}
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			if !strings.Contains(p, "/internal/") {
				continue
			}
			local := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				local = imp.Name.Name
			}
			internal[local] = true
		}
		names := func(what string, n ast.Node) {
			ast.Inspect(n, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && internal[id.Name] {
						leaks = append(leaks, fset.Position(sel.Pos()).String()+": "+what+" names "+id.Name+"."+sel.Sel.Name)
					}
				}
				return true
			})
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Name.IsExported() && (d.Recv == nil || exportedRecv(d.Recv)) {
					names(d.Name.Name, d.Type)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok || !ts.Name.IsExported() || ts.Assign != 0 {
						continue // aliases name a type an importer can use through the alias
					}
					switch typ := ts.Type.(type) {
					case *ast.StructType:
						for _, fl := range typ.Fields.List {
							for _, n := range fl.Names {
								if n.IsExported() {
									names(ts.Name.Name+"."+n.Name, fl.Type)
								}
							}
						}
					case *ast.InterfaceType, *ast.FuncType:
						names(ts.Name.Name, typ)
					}
				}
			}
		}
	}
	return leaks
}

func exportedRecv(r *ast.FieldList) bool {
	typ := r.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	if idx, ok := typ.(*ast.IndexExpr); ok {
		typ = idx.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}
