package launch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
)

// maxFingerprintFiles bounds the walk; a module larger than this is
// rebuilt every time rather than walked.
const maxFingerprintFiles = 20000

var errTooLarge = errors.New("module too large to fingerprint")

// fingerprint summarises what a build of the package in dir can depend on
// and what can change between runs: the name, size and modification time
// of every file in its module and in the local directories its go.mod
// replaces modules with, and the Go toolchain and build settings.
func fingerprint(ctx context.Context, goTool, dir string) (string, error) {
	root, err := moduleRoot(dir)
	if err != nil {
		return "", err
	}
	env, err := exec.CommandContext(ctx, goTool, "env", "GOVERSION", "GOOS", "GOARCH", "GOFLAGS", "CGO_ENABLED", "GOEXPERIMENT").Output()
	if err != nil {
		return "", fmt.Errorf("go env: %w", err)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", dir, env)
	trees := []string{root}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		return "", err
	}
	mf, err := modfile.ParseLax("go.mod", gomod, nil)
	if err != nil {
		return "", err
	}
	for _, r := range mf.Replace {
		if modfile.IsDirectoryPath(r.New.Path) {
			p := r.New.Path
			if !filepath.IsAbs(p) {
				p = filepath.Join(root, p)
			}
			trees = append(trees, p)
		}
	}
	files := 0
	for _, tree := range trees {
		var lines []string
		err := filepath.WalkDir(tree, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // unreadable parts cannot be built from either
			}
			if d.IsDir() {
				if path != tree && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
					return filepath.SkipDir
				}
				return nil
			}
			if files++; files > maxFingerprintFiles {
				return errTooLarge
			}
			fi, err := d.Info()
			if err != nil {
				return nil
			}
			lines = append(lines, fmt.Sprintf("%s %d %d", path, fi.Size(), fi.ModTime().UnixNano()))
			return nil
		})
		if err != nil {
			return "", err
		}
		sort.Strings(lines)
		fmt.Fprintln(h, strings.Join(lines, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// moduleRoot finds the directory of the go.mod governing dir.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("%s is not inside a Go module (no go.mod)", dir)
		}
	}
}
