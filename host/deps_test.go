package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoCmpInBinary: the socklab binary, every builtin plugin process,
// links neither hclwrite nor the go-cmp it imports, whose initialisers
// would run at every plugin start (fmt formats with internal/hclfmt, the
// suite reader decodes with internal/gohcl).
func TestNoCmpInBinary(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps listed nothing")
	}
	for _, dep := range deps {
		if dep == "github.com/hashicorp/hcl/v2/hclwrite" || strings.HasPrefix(dep, "github.com/google/go-cmp/") {
			t.Errorf("the socklab binary depends on %s", dep)
		}
	}
}
