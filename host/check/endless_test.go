package check

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/lab"
)

// plainStudent is a student's Python program of the corpus as a plain
// program.
func plainStudent(t *testing.T, role, name, file string) submission.Submission {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed (Debian package python3)")
	}
	dir, _ := filepath.Abs(filepath.Join("testdata", "students", role, name))
	return submission.Submission{Name: name, Dir: dir, Spec: lab.PluginSpec{From: lab.Plain, Command: []string{py, filepath.Join(dir, file)}}}
}

// TestEndlessClientStopped: a heartbeat client written to beat for ever
// is stopped once it has sent what the scenario asks for, not at the
// lab's limit, and keeps the points of what it did.
func TestEndlessClientStopped(t *testing.T) {
	sub := plainStudent(t, "heartbeat_client", "mo", "heartbeat_client.py")
	r := gradeIsolated(t, builtin(t, "heartbeat_client"), 1, sub)
	sr := r.Submissions[0].Scenarios[0]
	// Ten beats every 0.5 s, then the grace: far from the 40 s limit.
	if sr.Points != sr.MaxPoints || strings.Contains(sr.Error, "timeout") || sr.ElapsedSeconds > 20 {
		t.Errorf("%s\n%.1fs, %v/%v points", describe(sr), sr.ElapsedSeconds, sr.Points, sr.MaxPoints)
	}
}
