package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowLab takes hours to load: a local loops a billion times.
const slowLab = `locals {
  n = length([for a in range(1000) : length([for b in range(1000) : length([for c in range(1000) : c])])])
}
ping_server "s" {
  listen = "127.0.0.1:0"
}
`

// TestInterruptDuringLoad signals the host while it is busy evaluating a
// lab file: it must exit 130 at once, not after the load.
func TestInterruptDuringLoad(t *testing.T) {
	for _, cmd := range []string{"validate", "run"} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
			t.Run(cmd+"/"+sig.String(), func(t *testing.T) {
				h := startHostIn(t, "", nil, cmd, writeLab(t, slowLab))
				// Busy for a fifth of a second of CPU: past start-up and
				// the parse, inside the evaluation.
				waitForCPU(t, h.cmd.Process.Pid, 20)
				sent := time.Now()
				if err := h.cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				r := h.wait(t)
				t.Logf("exited %v after the signal", time.Since(sent))
				if r.exit != exitInterrupted {
					t.Fatalf("exit %d, want %d; stderr:\n%s", r.exit, exitInterrupted, r.stderr)
				}
			})
		}
	}
}

// waitForCPU waits until process pid has used ticks clock ticks of CPU.
func waitForCPU(t *testing.T, pid, ticks int) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
		if err != nil {
			t.Fatal(err)
		}
		// Fields after the command's closing parenthesis; utime and
		// stime are the 12th and 13th of them.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		utime, _ := strconv.Atoi(fields[11])
		stime, _ := strconv.Atoi(fields[12])
		if utime+stime >= ticks {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d never used %d ticks of CPU", pid, ticks)
}

// TestHostileLabFiles are lab files that exhausted the stack or the
// clock: each is refused with a diagnostic at its place.
func TestHostileLabFiles(t *testing.T) {
	deep := func() string {
		return "lab {\n  name = " + strings.Repeat("(", 100_000) + "1" + strings.Repeat(")", 100_000) + "\n}\n"
	}
	tests := []struct {
		name string
		cmd  string
		src  func() string
		want string
	}{
		{"too large", "validate", func() string { return strings.Repeat("# filler line\n", 17<<20/14) }, "lab.hcl:1:1: error: File too large"},
		{"nested parentheses", "validate", deep, "lab.hcl:2:109: error: Nesting too deep"},
		{"fmt of nested parentheses", "fmt", deep, "lab.hcl:2:109: error: Nesting too deep"},
		{"huge value", "validate", func() string {
			return "locals {\n  x = join(\"\", formatlist(\"%05000d\", range(1000)))\n}\n"
		}, "lab.hcl:2:16: error: Error in function call"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startHostIn(t, "", nil, tt.cmd, writeLab(t, tt.src())).wait(t)
			if r.exit != exitBadLab || !strings.Contains(r.stderr, tt.want) {
				t.Fatalf("exit %d, stderr:\n%.2000s\nwant %q", r.exit, r.stderr, tt.want)
			}
		})
	}
}
