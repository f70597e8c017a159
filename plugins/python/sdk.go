// Package python carries socklab's Python SDK (the socklab package of this
// directory) inside the host binary, so that a Python plugin finds the
// SDK of the host that runs it without a PYTHONPATH of its own.
package python

//go:generate go run ./gen -o socklab/roles.py

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// sdk is the socklab package. The patterns name the files, so that
// __init__.py is included and no __pycache__ is.
//
//go:embed socklab/*.py socklab/v1/*.py socklab/goplugin/*.py
var sdk embed.FS

// Install writes the SDK under cacheDir, once per version of its content,
// and returns the directory to put on PYTHONPATH.
func Install(cacheDir string) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(sdk, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := sdk.ReadFile(path)
		fmt.Fprintf(h, "%s %d\n", path, len(data))
		h.Write(data)
		return err
	})
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheDir, "python-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(dir, "socklab", "__init__.py")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("python SDK: %w", err)
	}
	// Written beside, then renamed into place: another host may be
	// installing the same SDK at the same time.
	tmp, err := os.MkdirTemp(cacheDir, "python-tmp-")
	if err != nil {
		return "", fmt.Errorf("python SDK: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.CopyFS(tmp, sdk); err != nil {
		return "", fmt.Errorf("python SDK: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, statErr := os.Stat(filepath.Join(dir, "socklab", "__init__.py")); statErr != nil {
			return "", fmt.Errorf("python SDK: %w", err)
		}
	}
	return dir, nil
}

// WithPath returns env (NAME=value entries over the host's environment)
// with dir at the end of PYTHONPATH: after what env or the host's
// environment put there, so that a lab naming its own copy of the SDK
// keeps it. Relative entries of the host's PYTHONPATH are made absolute,
// since a plugin may run in another directory.
func WithPath(env []string, dir string) []string {
	current, at := os.Getenv("PYTHONPATH"), -1
	for i, e := range env {
		if v, ok := strings.CutPrefix(e, "PYTHONPATH="); ok {
			current, at = v, i
		}
	}
	var parts []string
	for _, p := range filepath.SplitList(current) {
		if p == "" {
			continue
		}
		if at < 0 && !filepath.IsAbs(p) {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
		}
		parts = append(parts, p)
	}
	entry := "PYTHONPATH=" + strings.Join(append(parts, dir), string(filepath.ListSeparator))
	out := append([]string(nil), env...)
	if at >= 0 {
		out[at] = entry
		return out
	}
	return append(out, entry)
}
