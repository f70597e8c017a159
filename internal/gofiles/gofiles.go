// Package gofiles is for the tests that read the module's own source (an
// architecture rule checked by walking the syntax trees): it finds the
// module's root and parses its Go files. It also asks the go command what
// a package depends on (DepsAmong), for the tests that keep a library out
// of the binary, and where a required module's files are (ModuleDir), for
// the tests that hold a copy to upstream.
package gofiles

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A File is one parsed Go file of the module.
type File struct {
	Rel  string // path from the module root
	Fset *token.FileSet
	AST  *ast.File
}

// Line is where pos is in f, as "path:line".
func (f File) Line(pos token.Pos) string {
	return fmt.Sprintf("%s:%d", f.Rel, f.Fset.Position(pos).Line)
}

// Module parses every Go file of the module that holds dir, tests,
// generated protobuf code, test data and hidden directories aside, and
// any directory skip names (its path from the root, such as "examples").
func Module(dir string, skip ...string) ([]File, error) {
	root, err := moduleRoot(dir)
	if err != nil {
		return nil, err
	}
	var files []File
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if name := d.Name(); path != root && (name == "testdata" || strings.HasPrefix(name, ".") || containsPath(skip, rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.HasSuffix(path, ".pb.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, File{Rel: rel, Fset: fset, AST: f})
		return nil
	})
	if err == nil && len(files) < 50 {
		err = fmt.Errorf("found %d Go files under %s: is it the module?", len(files), root)
	}
	return files, err
}

func containsPath(paths []string, p string) bool {
	for _, s := range paths {
		if filepath.Clean(s) == p {
			return true
		}
	}
	return false
}

// moduleRoot is the nearest directory from dir up that has a go.mod.
func moduleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the directory")
		}
		dir = parent
	}
}
