package main

import (
	"archive/zip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestAutograderBundle writes a Gradescope bundle and runs it end to end
// in a temporary root: run_autograder grades a submission as Gradescope
// would hand it over and writes results.json.
func TestAutograderBundle(t *testing.T) {
	requireDebianPython(t)
	out := t.TempDir()
	r := startHostIn(t, "", nil, "autograder", "--role", "ping_client", "--out", out).wait(t)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	zr, err := zip.OpenReader(filepath.Join(out, "autograder.zip"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if (f.Name == "run_autograder" || f.Name == "setup.sh") && f.Mode()&0o111 == 0 {
			t.Errorf("%s is not executable in the zip", f.Name)
		}
	}
	zr.Close()
	if want := []string{"run_autograder", "setup.sh", "socklab"}; !slices.Equal(slices.Sorted(slices.Values(names)), want) {
		t.Errorf("autograder.zip holds %v, want %v", names, want)
	}
	if b, err := exec.Command("bash", "-n", filepath.Join(out, "setup.sh")).CombinedOutput(); err != nil {
		t.Errorf("setup.sh: %v %s", err, b)
	}

	// Gradescope's layout: the bundle in source/, the submission in
	// submission/, results/ to fill.
	for _, tt := range []struct {
		name  string
		files map[string]string
		score float64
		want  string
	}{
		{"good", map[string]string{"UDPPingerClient.py": readCorpus(t, "ping_client/python_good/UDPPingerClient.py")}, 18, ""},
		{"nothing", map[string]string{"notes.txt": "tomorrow\n"}, 0, "could not grade this submission"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.CopyFS(filepath.Join(root, "source"), os.DirFS(out)); err != nil {
				t.Fatal(err)
			}
			student(t, root, "submission", tt.files)
			cmd := exec.Command(filepath.Join(root, "source", "run_autograder"))
			cmd.Env = append(os.Environ(), "AUTOGRADER_ROOT="+root)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("run_autograder: %v\n%s", err, b)
			}
			data, err := os.ReadFile(filepath.Join(root, "results", "results.json"))
			if err != nil {
				log, _ := os.ReadFile(filepath.Join(root, "results", "check.txt"))
				t.Fatalf("no results.json: %v\n%s", err, log)
			}
			var res struct {
				Score  float64 `json:"score"`
				Output string  `json:"output"`
			}
			if err := json.Unmarshal(data, &res); err != nil {
				t.Fatal(err)
			}
			if res.Score != tt.score || !strings.Contains(res.Output, tt.want) {
				t.Errorf("score %v, output %q; want %v and %q", res.Score, res.Output, tt.score, tt.want)
			}
		})
	}
}
