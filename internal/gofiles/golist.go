package gofiles

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// DepsAmong returns the packages that the package in dir depends on
// (go list -deps) and that are one of paths or below one of them: what a
// test that keeps a package out of another's dependencies reports.
func DepsAmong(dir string, paths ...string) ([]string, error) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -deps: %w", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		return nil, fmt.Errorf("go list -deps listed nothing for %s", dir)
	}
	var found []string
	for _, dep := range deps {
		for _, p := range paths {
			if dep == p || strings.HasPrefix(dep, p+"/") {
				found = append(found, dep)
				break
			}
		}
	}
	return found, nil
}

// ModuleDir is the directory of module path at the version go.mod
// requires, in the module cache: where a test finds the upstream files a
// package copied.
func ModuleDir(path string, elem ...string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w", path, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s: no directory", path)
	}
	return filepath.Join(append([]string{dir}, elem...)...), nil
}
