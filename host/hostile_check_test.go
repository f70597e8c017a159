package main

// socklab check against hostile submissions (host/check/testdata/hostile):
// each gets its verdict, no other student's grade changes, nothing is left
// running, and the reports stay as the grader wrote them.

import (
	"bytes"
	"crypto/sha256"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socklab/socklab/internal/tooltest"
)

// copyTree copies the directory src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// treeSums is the checksum of every file under dir, by path.
func treeSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	sums := map[string][32]byte{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			sums[path] = sha256.Sum256(data)
		}
		return nil
	})
	return sums
}

// sandboxedClass skips a test that grades with the sandbox where it
// cannot be made as a grading machine makes it (as root, with bwrap and
// Debian's Python), and returns the test's directory and, in it, where its
// class and reports go.
func sandboxedClass(t *testing.T) (root, class, reports string) {
	t.Helper()
	requireDebianPython(t)
	if os.Getuid() != 0 {
		t.Skip("the sandbox is tested as root, as a grading machine runs it")
	}
	tooltest.Need(t, "bwrap")
	root = t.TempDir()
	return root, filepath.Join(root, "class"), filepath.Join(root, "reports")
}

func TestCheckHostileCorpus(t *testing.T) {
	root, class, reports := sandboxedClass(t)
	copyTree(t, corpus(t, "hostile"), class)
	os.Remove(filepath.Join(class, "README.md"))
	good := readCorpus(t, "ping_client/python_good/UDPPingerClient.py")
	entries, _ := os.ReadDir(class)
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(class, e.Name(), "UDPPingerClient.py")); err == nil {
			if err := os.WriteFile(filepath.Join(class, e.Name(), "client.txt"), []byte(good), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	student(t, root, "instructor", map[string]string{"answers.txt": "the answers\n"})
	victimFile := filepath.Join(class, "victim", "UDPPingerClient.py")
	victimBefore, _ := os.ReadFile(victimFile)
	// A service on the host's loopback that connects_host must not reach.
	if ln, err := net.Listen("tcp", "127.0.0.1:47999"); err == nil {
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}

	r := startHostIn(t, "", []string{"GRADER_SECRET=hunter2"}, "check", "--sandbox", "on", "--role", "ping_client", "--jobs", "4",
		"--cpu-time", "2s", "--report", reports, class).waitLong(t)
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	sums := treeSums(t, reports)
	report := readReport(t, reports)

	full := ""
	tests := map[string]struct {
		points float64
		// why is in the submission's error, or in each scenario's.
		why string
	}{
		"reads_instructor":   {18, full},
		"writes_classmate":   {18, full},
		"escapes_namespaces": {18, full},
		"connects_host":      {18, full},
		"leaves_sleeper":     {18, full},
		"rewrites_results":   {18, full},
		"kills_grader":       {18, full},
		"victim":             {18, full},
		"fork_bomb":          {0, "exceeded the limit of 64 processes in scenario "},
		"memory_hog":         {0, "exceeded the 256 MiB memory limit in scenario "},
		"disk_filler":        {0, "exceeded the 16 MiB file size limit in scenario "},
		"output_flood":       {0, "exceeded the 4 MiB output limit in scenario "},
		"spinner":            {0, "exceeded the 2s CPU time limit in scenario "},
		// Checks with nothing to judge still give points for a program
		// that pings nothing (the clean scenario's); forged lines add none.
		"forged_events":    {6, ""},
		"terminal_escapes": {0, `last output: \x1b`},
		"hcl_builtin":      {0, "submission.hcl:2:3: error: Not the student's code"},
		"hcl_absolute":     {0, "is an absolute path"},
		"hcl_dotdot":       {0, `climbs out with ".."`},
		"hcl_null":         {0, "submission.hcl:2:"},
		"hcl_deep":         {0, "submission.hcl:"},
	}
	seen := map[string]bool{}
	for _, s := range report.Submissions {
		seen[s.Name] = true
		tt, ok := tests[s.Name]
		if !ok {
			t.Errorf("%s: graded, but not in the test", s.Name)
			continue
		}
		if s.Points != tt.points && !(s.Name == "forged_events" && s.Points < tt.points) {
			t.Errorf("%s: %v/%v points, want %v (%s)\n%s", s.Name, s.Points, s.MaxPoints, tt.points, s.Error, report.details(s.Name))
		}
		if tt.why == "" {
			continue
		}
		if strings.Contains(s.Error, tt.why) {
			continue
		}
		for _, sc := range s.Scenarios {
			if !strings.Contains(sc.Error, tt.why) {
				t.Errorf("%s: scenario %s: error %q, want %q", s.Name, sc.Name, sc.Error, tt.why)
			}
		}
	}
	for name := range tests {
		if !seen[name] {
			t.Errorf("%s: not graded", name)
		}
	}
	if bytes.ContainsAny([]byte(r.stdout), "\x1b\x07") {
		t.Errorf("the table holds a terminal escape")
	}
	for path := range sums {
		if data, _ := os.ReadFile(path); bytes.ContainsAny(data, "\x1b\x07") {
			t.Errorf("%s holds a terminal escape", path)
		}
	}

	// Nothing of theirs runs on; what they wrote stayed in their copies.
	if left := processesWith("socklab-hostile-sleeper", class); len(left) > 0 {
		t.Errorf("processes left running: %v", left)
	}
	if after, _ := os.ReadFile(victimFile); !bytes.Equal(after, victimBefore) {
		t.Errorf("the classmate's program changed:\n%s", after)
	}
	for _, f := range []string{"writes_classmate/planted.txt", "disk_filler/filler.bin"} {
		if _, err := os.Stat(filepath.Join(class, f)); err == nil {
			t.Errorf("%s reached the student's directory", f)
		}
	}
	// rewrites_results's process would write 4 s after it started.
	time.Sleep(6 * time.Second)
	if after := treeSums(t, reports); len(after) != len(sums) {
		t.Errorf("the report directory changed after check exited: %d files, then %d", len(sums), len(after))
	} else {
		for path, sum := range sums {
			if after[path] != sum {
				t.Errorf("%s changed after check exited", path)
			}
		}
	}
	if data, err := os.ReadFile("/tmp/results.json"); err == nil && bytes.Contains(data, []byte("forged")) {
		t.Errorf("a submission wrote the host's /tmp/results.json")
	}
}

// processesWith lists the processes whose command line holds any of words.
func processesWith(words ...string) []string {
	var found []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || e.Name() == "self" {
			continue
		}
		for _, w := range words {
			if bytes.Contains(cmdline, []byte(w)) {
				found = append(found, e.Name()+" "+string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})))
			}
		}
	}
	return found
}

// TestSandboxedServerBindsALowPort: the sandboxed program runs as nobody,
// and a student's web server on port 80 (the corpus's xia) must still bind
// it in its scenario's own network namespace and get its sheet points.
func TestSandboxedServerBindsALowPort(t *testing.T) {
	_, class, reports := sandboxedClass(t)
	copyTree(t, filepath.Join(corpus(t, "students"), "web_server", "xia"), filepath.Join(class, "xia"))
	r := startHostIn(t, "", nil, "check", "--sandbox", "on", "--role", "web_server", "--report", reports, class).waitLong(t)
	report := readReport(t, reports)
	if report.Sandbox != "on" && !strings.HasPrefix(report.Sandbox, "on;") {
		t.Fatalf("sandbox %q, want on\n%s", report.Sandbox, r.stderr)
	}
	if s := report.Submissions[0]; s.SheetPoints != s.SheetMaxPoints {
		t.Errorf("xia got %v of the sheet's %v points, want all:\n%s", s.SheetPoints, s.SheetMaxPoints, r.stdout)
	}
}
