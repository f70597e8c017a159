package hclfmt

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFormatGoIsUpstreams: format.go is hclwrite's format.go, byte for
// byte after the package clause, at the version go.mod names; a new
// version of hcl/v2 fails here until the files are copied again.
func TestFormatGoIsUpstreams(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/hashicorp/hcl/v2").Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	upstream := filepath.Join(strings.TrimSpace(string(out)), "hclwrite", "format.go")
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
