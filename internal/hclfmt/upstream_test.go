package hclfmt

import (
	"bytes"
	"os"
	"testing"

	"github.com/socklab/socklab/internal/gofiles"
)

// TestFormatGoIsUpstreams: format.go is hclwrite's format.go, byte for
// byte after the package clause, at the version go.mod names; a new
// version of hcl/v2 fails here until the files are copied again.
func TestFormatGoIsUpstreams(t *testing.T) {
	upstream, err := gofiles.ModuleDir("github.com/hashicorp/hcl/v2", "hclwrite", "format.go")
	if err != nil {
		t.Fatal(err)
	}
	afterPackage := func(path, pkg string) []byte {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := bytes.Cut(src, []byte("\npackage "+pkg+"\n"))
		if !ok {
			t.Fatalf("%s has no package %s clause", path, pkg)
		}
		return rest
	}
	if !bytes.Equal(afterPackage("format.go", "hclfmt"), afterPackage(upstream, "hclwrite")) {
		t.Errorf("format.go differs from %s: copy it again", upstream)
	}
}
