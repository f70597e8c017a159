package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cgroupFS is where the kernel's control groups are read: the real
// /proc/self files and mounts, or a fake tree in tests.
type cgroupFS struct {
	// mountinfo and self are the contents of /proc/self/mountinfo and
	// /proc/self/cgroup.
	mountinfo, self string
}

func realCgroupFS() (cgroupFS, error) {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return cgroupFS{}, err
	}
	self, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return cgroupFS{}, err
	}
	return cgroupFS{mountinfo: string(mi), self: string(self)}, nil
}

// cgroups is one sandbox's control groups: with cgroup v1 a directory per
// controller, with v2 one directory for all of them.
type cgroups struct {
	version int
	// Directories per use: "" when that limit has no controller.
	memory, pids, usage string
	dirs                []string
}

// hierarchy is a mounted cgroup hierarchy and this process's place in it.
type hierarchy struct {
	version     int
	controllers []string
	// dir is this process's cgroup directory in the mount.
	dir string
}

// hierarchies lists the mounted hierarchies this process is in.
func (fs cgroupFS) hierarchies() []hierarchy {
	own := map[string]string{} // controller (or "" for v2) to path
	for line := range strings.SplitSeq(fs.self, "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			own[""] = parts[2]
			continue
		}
		for c := range strings.SplitSeq(parts[1], ",") {
			own[c] = parts[2]
		}
	}
	var hs []hierarchy
	for line := range strings.SplitSeq(fs.mountinfo, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 {
			continue
		}
		root, mnt := f[3], unescapeMount(f[4])
		switch g[0] {
		case "cgroup2":
			path, ok := own[""]
			if !ok {
				continue
			}
			dir := filepath.Join(mnt, relativeTo(path, root))
			ctl, _ := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
			hs = append(hs, hierarchy{version: 2, controllers: strings.Fields(string(ctl)), dir: dir})
		case "cgroup":
			var ctls []string
			path := ""
			for o := range strings.SplitSeq(g[2], ",") {
				if p, ok := own[o]; ok {
					ctls, path = append(ctls, o), p
				}
			}
			if len(ctls) > 0 {
				hs = append(hs, hierarchy{version: 1, controllers: ctls, dir: filepath.Join(mnt, relativeTo(path, root))})
			}
		}
	}
	return hs
}

// relativeTo is path inside a mount of root (a container sees its own
// cgroup as the root of the mount).
func relativeTo(path, root string) string {
	if root == "/" {
		return path
	}
	if rel, ok := strings.CutPrefix(path, root); ok {
		return "/" + strings.TrimPrefix(rel, "/")
	}
	return path
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// newCgroups makes the control groups named name with limits l, and says
// which limits no controller could enforce.
func newCgroups(fs cgroupFS, name string, l Limits) (*cgroups, []string) {
	cg := &cgroups{}
	pick := func(ctl string) (hierarchy, bool) {
		// v1 first: where a controller is bound to v1, v2 cannot have it.
		for _, v := range []int{1, 2} {
			for _, h := range fs.hierarchies() {
				if h.version == v && contains(h.controllers, ctl) {
					return h, true
				}
			}
		}
		return hierarchy{}, false
	}
	var off []string
	mk := func(h hierarchy) (string, error) {
		dir := filepath.Join(h.dir, name)
		if contains(cg.dirs, dir) {
			return dir, nil
		}
		if h.version == 2 {
			// The controllers must be enabled for the parent's children.
			ctl := strings.Join(prefixAll("+", h.controllers), " ")
			_ = os.WriteFile(filepath.Join(h.dir, "cgroup.subtree_control"), []byte(ctl), 0o644)
		}
		if err := os.Mkdir(dir, 0o755); err != nil {
			return "", err
		}
		cg.dirs = append(cg.dirs, dir)
		return dir, nil
	}
	uses := []cgUse{
		{"memory", &cg.memory, LimitMemory, func(h hierarchy, dir string) error {
			if h.version == 1 {
				err := writeFile(dir, "memory.limit_in_bytes", l.Memory)
				_ = writeFile(dir, "memory.memsw.limit_in_bytes", l.Memory) // no swap either, where accounted
				return err
			}
			_ = writeFile(dir, "memory.swap.max", 0)
			return writeFile(dir, "memory.max", l.Memory)
		}},
		{"pids", &cg.pids, LimitProcs, func(h hierarchy, dir string) error {
			return writeFile(dir, "pids.max", l.Procs)
		}},
	}
	for _, u := range uses {
		if u.limit != "" && !u.isSet(l) {
			continue
		}
		h, ok := pick(u.ctl)
		if !ok {
			if u.limit != "" {
				off = append(off, fmt.Sprintf("%s (no %s cgroup controller here)", u.limit, u.ctl))
			}
			continue
		}
		dir, err := mk(h)
		if err == nil {
			err = u.set(h, dir)
		}
		if err != nil {
			if u.limit != "" {
				off = append(off, fmt.Sprintf("%s (cgroup v%d %s: %v)", u.limit, h.version, u.ctl, err))
			}
			continue
		}
		*u.dst = dir
		cg.version = h.version
	}
	// The CPU time used: cpuacct in v1, the cpu controller's (always
	// there) cpu.stat in v2.
	if l.CPUTime > 0 {
		if h, ok := pick("cpuacct"); ok && h.version == 1 {
			if dir, err := mk(h); err == nil {
				cg.usage = dir
			}
		} else {
			for _, h := range fs.hierarchies() {
				if h.version == 2 {
					if dir, err := mk(h); err == nil {
						cg.usage = dir
					}
				}
			}
		}
		if cg.usage == "" {
			off = append(off, LimitCPU+" of all processes together (no cpuacct cgroup; each process is limited alone)")
		}
	}
	return cg, off
}

// cgUse is a controller, the directory it fills in, the limit it enforces
// (if any) and how it is set.
type cgUse struct {
	ctl   string
	dst   *string
	limit string
	set   func(h hierarchy, dir string) error
}

func (u cgUse) isSet(l Limits) bool {
	switch u.limit {
	case LimitMemory:
		return l.Memory > 0
	case LimitProcs:
		return l.Procs > 0
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func prefixAll(p string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = p + s
	}
	return out
}

func writeFile(dir, name string, v any) error {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(fmt.Sprint(v)), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	return nil
}

// cpuUsed is the CPU time the group has used.
func (cg *cgroups) cpuUsed() (time.Duration, bool) {
	if cg.usage == "" {
		return 0, false
	}
	if b, err := os.ReadFile(filepath.Join(cg.usage, "cpuacct.usage")); err == nil {
		ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return time.Duration(ns), err == nil
	}
	us, ok := keyed(filepath.Join(cg.usage, "cpu.stat"), "usage_usec")
	return time.Duration(us) * time.Microsecond, ok
}

// exceeded says which limit the kernel enforced: "" if none.
func (cg *cgroups) exceeded() string {
	if cg.memory != "" {
		for _, f := range []string{"memory.events", "memory.oom_control"} {
			if n, ok := keyed(filepath.Join(cg.memory, f), "oom_kill"); ok && n > 0 {
				return LimitMemory
			}
		}
	}
	if cg.pids != "" {
		if n, ok := keyed(filepath.Join(cg.pids, "pids.events"), "max"); ok && n > 0 {
			return LimitProcs
		}
	}
	return ""
}

// peakMemory is the most memory the group used, if known.
func (cg *cgroups) peakMemory() int64 {
	for _, f := range []string{"memory.max_usage_in_bytes", "memory.peak"} {
		if b, err := os.ReadFile(filepath.Join(cg.memory, f)); err == nil && cg.memory != "" {
			n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
			return n
		}
	}
	return 0
}

// keyed reads the number after key in a "key value" file.
func keyed(path, key string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == key {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// procs lists the processes in the groups.
func (cg *cgroups) procs() []int {
	var pids []int
	for _, dir := range cg.dirs {
		b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		for f := range strings.FieldsSeq(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// destroy kills every process in the groups and removes them.
func (cg *cgroups) destroy() error {
	if err := cg.kill(); err != nil {
		return err
	}
	var errs []error
	for _, dir := range cg.dirs {
		var err error
		for range 50 { // a killed process leaves its group a moment later
			if err = os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
				err = nil
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// kill kills every process in the groups until none is left (or a
// second has passed).
func (cg *cgroups) kill() error {
	deadline := time.Now().Add(time.Second)
	for {
		pids := cg.procs()
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes %v would not die", pids)
		}
		for _, dir := range cg.dirs {
			_ = os.WriteFile(filepath.Join(dir, "cgroup.kill"), []byte("1"), 0o644) // v2
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// staleCgroupAge is how old an empty group must be before sweep takes it
// for one that a killed supervisor left.
const staleCgroupAge = time.Minute

// sweep removes the empty groups that earlier supervisors, killed before
// they could clean up, left beside this one's.
func sweep(fs cgroupFS, prefix string) {
	for _, h := range fs.hierarchies() {
		entries, _ := os.ReadDir(h.dir)
		for _, e := range entries {
			rest, ok := strings.CutPrefix(e.Name(), prefix)
			if !ok || !e.IsDir() {
				continue
			}
			pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
			if err == nil && syscall.Kill(pid, 0) == nil {
				continue // its supervisor still runs
			}
			// The pid says little when supervisors run in PID namespaces of
			// their own; a group made a moment ago is another's, about to
			// be joined.
			if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < staleCgroupAge {
				continue
			}
			_ = os.Remove(filepath.Join(h.dir, e.Name())) // fails unless empty
		}
	}
}
