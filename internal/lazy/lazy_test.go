package lazy

import (
	"go/ast"
	"go/token"
	"testing"

	"github.com/socklab/socklab/internal/gofiles"
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
// Go files (the examples and benchmarks, which are programs of their own,
// and tests aside) and fails on a package-level variable initialised by
// compiling a regular expression or template outside a function literal.
func TestNothingCompiledAtInit(t *testing.T) {
	files, err := gofiles.Module(".", "examples", "bench")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, decl := range f.AST.Decls {
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
						t.Errorf("%s: %s.%s runs at start-up in every socklab process; compile at first use (lazy.Regexp, sync.OnceValue)",
							f.Line(n.Pos()), x.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
}
