package gofiles

import (
	"os"
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

func TestDepsAmong(t *testing.T) {
	tests := []struct {
		paths []string
		want  []string // among what it finds; none if nil
	}{
		{[]string{"go/ast"}, []string{"go/ast"}},
		{[]string{"go"}, []string{"go/ast", "go/parser", "go/token"}},
		{[]string{"go/as"}, nil}, // a prefix of a path is not its parent
		{[]string{"github.com/gopacket"}, nil},
	}
	for _, tt := range tests {
		got, err := DepsAmong(".", tt.paths...)
		if err != nil {
			t.Fatal(err)
		}
		if tt.want == nil && len(got) > 0 {
			t.Errorf("DepsAmong(%q) = %q, want none", tt.paths, got)
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("DepsAmong(%q) = %q, want %s among them", tt.paths, got, w)
			}
		}
		for _, dep := range got {
			if !slices.ContainsFunc(tt.paths, func(p string) bool { return dep == p || strings.HasPrefix(dep, p+"/") }) {
				t.Errorf("DepsAmong(%q) found %s", tt.paths, dep)
			}
		}
	}
}

func TestModuleDir(t *testing.T) {
	dir, err := ModuleDir("github.com/hashicorp/hcl/v2", "gohcl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "decode.go")); err != nil {
		t.Errorf("ModuleDir gave %s: %v", dir, err)
	}
	if _, err := ModuleDir("example.com/not/required"); err == nil {
		t.Error("a module go.mod does not require has a directory")
	}
}
