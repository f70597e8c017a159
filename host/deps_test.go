package main

import (
	"testing"

	"github.com/socklab/socklab/internal/gofiles"
)

// TestNoCmpInBinary: the socklab binary, every builtin plugin process,
// links neither hclwrite nor the go-cmp it imports, whose initialisers
// would run at every plugin start (fmt formats with internal/hclfmt, the
// suite reader decodes with internal/gohcl).
func TestNoCmpInBinary(t *testing.T) {
	found, err := gofiles.DepsAmong(".", "github.com/hashicorp/hcl/v2/hclwrite", "github.com/google/go-cmp")
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range found {
		t.Errorf("the socklab binary depends on %s", dep)
	}
}
