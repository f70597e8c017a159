package tooltest

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestMissingToolSkipsOrFails(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	tests := []struct {
		required bool
		want     func(error) bool
	}{
		{false, func(err error) bool { return err != nil && !errors.Is(err, errRequired) }},
		{true, func(err error) bool { return errors.Is(err, errRequired) }},
	}
	for _, tt := range tests {
		_, msg, err := lookup("nc", tt.required)
		if !tt.want(err) || !strings.Contains(msg, "apt-get install netcat-openbsd") {
			t.Errorf("required=%v: %q, %v", tt.required, msg, err)
		}
	}
}

func TestToolOnPathIsFound(t *testing.T) {
	dir := t.TempDir()
	nc := filepath.Join(dir, "nc")
	if err := os.WriteFile(nc, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if path, msg, err := lookup("nc", true); err != nil || path != nc {
		t.Fatalf("lookup = %q, %q, %v", path, msg, err)
	}
	if _, _, err := lookup("no-such-tool", false); !errors.Is(err, errRequired) {
		t.Fatalf("an unknown tool is not an error: %v", err)
	}
}

// TestReadmeAndCIInstallTheSameTools: the packages README.md tells a
// newcomer to install, those .ci/run installs and those the tests name
// are one list.
func TestReadmeAndCIInstallTheSameTools(t *testing.T) {
	var want []string
	for _, tool := range Tools() {
		want = append(want, tool.Packages...)
	}
	slices.Sort(want)

	readme := read(t, "../../README.md")
	line := regexp.MustCompile(`(?m)^apt-get install -y (.+)$`).FindStringSubmatch(readme)
	if line == nil {
		t.Fatal(`README.md has no "apt-get install -y PACKAGES" line`)
	}
	if got := sorted(strings.Fields(line[1])); !slices.Equal(got, want) {
		t.Errorf("README.md installs %v, the tests need %v", got, want)
	}
	for _, tool := range Tools() {
		if !strings.Contains(readme, "`"+tool.Name+"`") {
			t.Errorf("README.md does not name the tool `%s`", tool.Name)
		}
	}

	ci := read(t, "../../.ci/run")
	list := regexp.MustCompile(`(?m)^tools="([^"]*)"`).FindStringSubmatch(ci)
	if list == nil {
		t.Fatal(`.ci/run has no tools="COMMAND:PACKAGE..." line`)
	}
	var got []string
	for _, pair := range strings.Fields(list[1]) {
		_, pkg, _ := strings.Cut(pair, ":")
		got = append(got, pkg)
	}
	python := regexp.MustCompile(`(?m)^python_packages="([^"]*)"`).FindStringSubmatch(ci)
	if python == nil {
		t.Fatal(`.ci/run has no python_packages="..." line`)
	}
	got = sorted(append(got, strings.Fields(python[1])...))
	if !slices.Equal(got, want) {
		t.Errorf(".ci/run installs %v, the tests need %v", got, want)
	}
	if !strings.Contains(ci, "export "+RequireEnv+"=1") {
		t.Errorf(".ci/run does not export %s=1, so a missing tool would skip in CI", RequireEnv)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
