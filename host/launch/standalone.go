package launch

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// socklabModulePath is the module a plugin imports the SDK from.
const socklabModulePath = "github.com/socklab/socklab"

// FindSocklabModule returns the directory of a socklab source tree that a
// Go plugin without a go.mod of its own can be built against: the one
// holding the current directory, else the one holding the socklab
// executable (`go build -o socklab ./host` puts it at the top); "" if
// neither is in one.
func FindSocklabModule() string {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		starts = append(starts, filepath.Dir(exe))
	}
	for _, start := range starts {
		root, err := moduleRoot(start)
		if err != nil {
			continue
		}
		if data, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil && modfile.ModulePath(data) == socklabModulePath {
			return root
		}
	}
	return ""
}

// standaloneOverlay makes a package directory that is in no module (a
// student's copy of a kit skeleton, main.go alone) build as a module of
// its own: a go build -overlay file that adds to dir a go.mod requiring
// what socklab requires, with socklab itself replaced by the source tree
// b.Socklab, and socklab's go.sum. The student's directory is not touched.
func (b *Builder) standaloneOverlay(dir, outDir string) (string, error) {
	if b.Socklab == "" {
		return "", fmt.Errorf("%s is not inside a Go module (no go.mod), and socklab does not know where its own source is to build it against: add a go.mod that requires %s, or run socklab from its source tree", dir, socklabModulePath)
	}
	src, err := os.ReadFile(filepath.Join(b.Socklab, "go.mod"))
	if err != nil {
		return "", err
	}
	theirs, err := modfile.ParseLax("go.mod", src, nil)
	if err != nil {
		return "", err
	}
	mine := &modfile.File{}
	if err := mine.AddModuleStmt("socklab-plugin"); err != nil {
		return "", err
	}
	if theirs.Go != nil {
		if err := mine.AddGoStmt(theirs.Go.Version); err != nil {
			return "", err
		}
	}
	if err := mine.AddRequire(socklabModulePath, "v0.0.0"); err != nil {
		return "", err
	}
	for _, r := range theirs.Require {
		if err := mine.AddRequire(r.Mod.Path, r.Mod.Version); err != nil {
			return "", err
		}
	}
	if err := mine.AddReplace(socklabModulePath, "", b.Socklab, ""); err != nil {
		return "", err
	}
	for _, r := range theirs.Replace {
		to := r.New.Path
		if modfile.IsDirectoryPath(to) && !filepath.IsAbs(to) {
			to = filepath.Join(b.Socklab, to)
		}
		if err := mine.AddReplace(r.Old.Path, r.Old.Version, to, r.New.Version); err != nil {
			return "", err
		}
	}
	gomod, err := mine.Format()
	if err != nil {
		return "", err
	}
	gosum, err := os.ReadFile(filepath.Join(b.Socklab, "go.sum"))
	if err != nil {
		return "", err
	}
	modPath, sumPath := filepath.Join(outDir, "go.mod.overlay"), filepath.Join(outDir, "go.sum.overlay")
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {
		filepath.Join(dir, "go.mod"): modPath,
		filepath.Join(dir, "go.sum"): sumPath,
	}})
	if err != nil {
		return "", err
	}
	overlayPath := filepath.Join(outDir, "overlay.json")
	for path, data := range map[string][]byte{modPath: gomod, sumPath: gosum, overlayPath: overlay} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return "", fmt.Errorf("plugin cache: %w", err)
		}
	}
	return overlayPath, nil
}
