package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeFS is a cgroup tree in a temporary directory: mounts as mountinfo
// lines with "ROOT" for the directory, this process's groups as
// /proc/self/cgroup says them.
func fakeFS(t *testing.T, mounts, self string, dirs ...string) (cgroupFS, string) {
	root := t.TempDir()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return cgroupFS{mountinfo: strings.ReplaceAll(mounts, "ROOT", root), self: self}, root
}

func TestCgroupsV2(t *testing.T) {
	fs, root := fakeFS(t,
		"30 25 0:26 / ROOT/cg rw,nosuid - cgroup2 cgroup2 rw\n",
		"0::/user.slice/grader\n", "cg/user.slice/grader")
	if err := os.WriteFile(filepath.Join(root, "cg/user.slice/grader/cgroup.controllers"), []byte("cpu memory pids\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cg, off := newCgroups(fs, "box", Limits{Memory: 1 << 20, Procs: 8, CPUTime: time.Second})
	if len(off) > 0 {
		t.Errorf("limits off: %v", off)
	}
	dir := filepath.Join(root, "cg/user.slice/grader/box")
	for file, want := range map[string]string{"memory.max": "1048576", "pids.max": "8",
		"../cgroup.subtree_control": "+cpu +memory +pids"} {
		if b, err := os.ReadFile(filepath.Join(dir, file)); err != nil || string(b) != want {
			t.Errorf("%s = %q (%v), want %q", file, b, err, want)
		}
	}
	if cg.memory != dir || cg.pids != dir || cg.usage != dir || cg.version != 2 {
		t.Errorf("groups %+v, want all in %s", cg, dir)
	}
	os.WriteFile(filepath.Join(dir, "memory.events"), []byte("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "cpu.stat"), []byte("usage_usec 1500000\nuser_usec 1000000\n"), 0o644)
	if got := cg.exceeded(); got != LimitMemory {
		t.Errorf("exceeded %q, want memory", got)
	}
	if used, ok := cg.cpuUsed(); !ok || used != 1500*time.Millisecond {
		t.Errorf("CPU used %s %v, want 1.5s", used, ok)
	}
}

func TestCgroupsV1InAContainer(t *testing.T) {
	// The container's memory group is the root of its mount; pids has no
	// controller at all: that limit is off, and says so.
	fs, root := fakeFS(t,
		"40 25 0:30 /docker/abc ROOT/memory rw - cgroup cgroup rw,memory\n"+
			"41 25 0:31 / ROOT/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n",
		"5:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n", "memory", "cpu,cpuacct/docker/abc")
	cg, off := newCgroups(fs, "box", Limits{Memory: 1 << 20, Procs: 8, CPUTime: time.Second})
	if len(off) != 1 || !strings.Contains(off[0], "processes (no pids cgroup controller") {
		t.Errorf("off %q, want the processes limit only", off)
	}
	if want := filepath.Join(root, "memory/box"); cg.memory != want {
		t.Errorf("memory group %s, want %s", cg.memory, want)
	}
	if want := filepath.Join(root, "cpu,cpuacct/docker/abc/box"); cg.usage != want {
		t.Errorf("cpuacct group %s, want %s", cg.usage, want)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"256M": 256 << 20, "256 MiB": 256 << 20, "16KiB": 16 << 10, "1g": 1 << 30,
		"100": 100, "100B": 100, "off": 0, "0": 0} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "lots", "-1M", "1.5G"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) took it", bad)
		}
	}
	if got := Bytes(256 << 20); got != "256 MiB" {
		t.Errorf("Bytes = %q", got)
	}
}
