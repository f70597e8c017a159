package gohcl

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socklab/socklab/internal/gofiles"
)

// TestSameAsUpstream: every Go file here but this one is upstream's gohcl
// file of the same name, byte for byte, at the version go.mod names.
func TestSameAsUpstream(t *testing.T) {
	upstream, err := gofiles.ModuleDir("github.com/hashicorp/hcl/v2", "gohcl")
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	copied := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		copied++
		ours, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := os.ReadFile(filepath.Join(upstream, name))
		if err != nil {
			t.Errorf("%s is not an upstream file: %v", name, err)
			continue
		}
		if !bytes.Equal(ours, theirs) {
			t.Errorf("%s differs from %s: copy it again", name, filepath.Join(upstream, name))
		}
	}
	if copied != 4 {
		t.Errorf("%d files copied, want decode.go, doc.go, schema.go and types.go", copied)
	}
}

// TestNoEncoder: the encoder, the reason for the copy, stays out.
func TestNoEncoder(t *testing.T) {
	found, err := gofiles.DepsAmong(".", "github.com/hashicorp/hcl/v2/hclwrite", "github.com/google/go-cmp")
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range found {
		t.Errorf("internal/gohcl depends on %s", dep)
	}
}
