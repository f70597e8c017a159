package lazy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRegexp(t *testing.T) {
	calls := 0
	re := Regexp(`^ping (\d+)$`)
	for range 3 {
		calls++
		if m := re().FindStringSubmatch("ping 42"); len(m) != 2 || m[1] != "42" {
			t.Fatalf("call %d: got %q, want the seq 42", calls, m)
		}
	}
	first := re()
	if again := re(); again != first {
		t.Error("Regexp compiled its expression again")
	}
}

func TestRegexpPanicsAtFirstUse(t *testing.T) {
	re := Regexp(`(unclosed`)
	defer func() {
		if recover() == nil {
			t.Error("an invalid expression did not panic at its first use")
		}
	}()
	re()
}

// compilers are the calls that do a package's work at start-up when a
// package-level variable is initialised with them.
var compilers = map[string]bool{
	"regexp.MustCompile": true, "regexp.Compile": true, "regexp.MustCompilePOSIX": true,
	"template.Must": true, "template.New": true, "template.ParseFS": true,
	"page.Templates": true,
}

// Each socklab process is the one binary, so what a package-level
// initialiser compiles delays every plugin's start. This walks the module's
// Go files (the examples, which are programs of their own, and tests
// aside) and fails on a package-level variable initialised by compiling a
// regular expression or template outside a function literal.
func TestNothingCompiledAtInit(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || name == "examples" || name == "bench" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.VAR {
				continue
			}
			ast.Inspect(gen, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					return false // runs when called, not at init
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if x, ok := sel.X.(*ast.Ident); ok && compilers[x.Name+"."+sel.Sel.Name] {
						rel, _ := filepath.Rel(root, path)
						t.Errorf("%s:%d: %s.%s runs at start-up in every socklab process; compile at first use (lazy.Regexp, sync.OnceValue)",
							rel, fset.Position(n.Pos()).Line, x.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("walked %d Go files: is %s the module?", files, root)
	}
}
