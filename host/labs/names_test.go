package labs

import (
	"go/ast"
	"go/token"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/socklab/socklab/internal/gofiles"
)

// A role is registered once: its name is spelled in its own package
// (proto/roles for the sheet's roles) and in the proto's generated code,
// and every other package reaches it through the registry. This walks every Go file
// of the module and fails on a string literal that is a role's name.
// Tests and test data may spell names: they state what a user writes.
func TestRoleNamesAreSpelledOnce(t *testing.T) {
	names := map[string]bool{}
	for _, n := range Builtin().Names() {
		names[n] = true
	}
	files, err := gofiles.Module(".", filepath.Join("proto", "roles"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		ast.Inspect(f.AST, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil && names[s] {
				t.Errorf("%s: the role name %q is spelled outside its package; use the registry (host/labs)", f.Line(lit.Pos()), s)
			}
			return true
		})
	}
}
