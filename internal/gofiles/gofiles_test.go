package gofiles

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestModule(t *testing.T) {
	tests := []struct {
		name     string
		skip     []string
		wantThis bool
	}{
		{"everything", nil, true},
		{"a directory skipped", []string{"internal"}, false},
	}
	this := filepath.Join("internal", "gofiles", "gofiles.go")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Module(".", tt.skip...)
			if err != nil {
				t.Fatal(err)
			}
			var rels []string
			for _, f := range files {
				rels = append(rels, f.Rel)
				if strings.HasSuffix(f.Rel, "_test.go") || strings.HasSuffix(f.Rel, ".pb.go") || strings.Contains(f.Rel, "testdata") {
					t.Errorf("%s was parsed", f.Rel)
				}
			}
			if got := slices.Contains(rels, this); got != tt.wantThis {
				t.Errorf("%s among the files: %v, want %v", this, got, tt.wantThis)
			}
		})
	}
}

func TestModuleNeedsAModule(t *testing.T) {
	if _, err := Module(t.TempDir()); err == nil {
		t.Error("a directory outside any module was walked")
	}
}
