package main

// The assignment kit of examples/kit: skeletons a student completes.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kitRoles are the kit's directories and the roles they play.
var kitRoles = map[string]string{
	"ping-client": "ping_client", "ping-server": "ping_server",
	"heartbeat-client": "heartbeat_client", "heartbeat-server": "heartbeat_server",
	"web-server": "web_server", "web-client": "web_client",
}

// TestKitSkeletons: each skeleton has its gaps, each a "Fill in start"
// followed by its "Fill in end", compiles as handed out, and its lab file
// is valid.
func TestKitSkeletons(t *testing.T) {
	root := filepath.Join(repoRoot(t), "examples/kit")
	for dir := range kitRoles {
		t.Run(dir, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join(root, dir, "main.go"))
			if err != nil {
				t.Fatal(err)
			}
			open, gaps := false, 0
			for i, line := range strings.Split(string(src), "\n") {
				switch strings.TrimSpace(line) {
				case "// Fill in start":
					if open {
						t.Errorf("main.go:%d: a gap starts inside another", i+1)
					}
					open = true
				case "// Fill in end":
					if !open {
						t.Errorf("main.go:%d: a gap ends that never started", i+1)
					}
					open = false
					gaps++
				}
			}
			if gaps == 0 || open {
				t.Errorf("%d gaps, one left open: %v", gaps, open)
			}
			build := exec.Command("go", "build", "-o", os.DevNull, ".")
			build.Dir = filepath.Join(root, dir)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("the skeleton does not compile as handed out: %v\n%s", err, out)
			}
			r := startHostIn(t, "", nil, "validate", filepath.Join(root, dir, "lab.hcl")).wait(t)
			if r.exit != 0 {
				t.Errorf("its lab.hcl: exit %d\n%s", r.exit, r.stderr)
			}
		})
	}
}

// TestKitSkeletonIsGradedAsUnfinished: checking a skeleton as handed out
// is a failing grade with the reason, not a crash of the grader.
func TestKitSkeletonIsGradedAsUnfinished(t *testing.T) {
	reports := t.TempDir()
	dir := filepath.Join(repoRoot(t), "examples/kit/ping-client")
	r := startHostIn(t, "", nil, "check", "--role", "ping_client", "--report", reports, dir).waitLong(t)
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	report := readReport(t, reports)
	expectFailures(t, report, map[string]string{"ping-client": "clean late_replies lossy rtt slow_replies"})
	if !strings.Contains(r.stdout, "there is no socket yet: fill in the gap that creates it") {
		t.Errorf("the reason is not shown:\n%s", r.stdout)
	}
}
