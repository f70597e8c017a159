package sandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits bound what a sandboxed program may use; a zero field is no limit.
type Limits struct {
	// Memory is the bytes of memory of every process together, with what
	// they write to the sandbox's (in-memory) files.
	Memory int64
	// Procs is how many processes and threads may exist at once.
	Procs int
	// CPUTime is the CPU time of every process together.
	CPUTime time.Duration
	// FileSize is the largest file a process may write.
	FileSize int64
	// Output is the bytes of stdout and stderr together.
	Output int64
}

// DefaultLimits are generous for the sheet's programs and stop a runaway
// one long before it hurts the machine.
var DefaultLimits = Limits{
	Memory:   256 << 20,
	Procs:    64,
	CPUTime:  60 * time.Second,
	FileSize: 16 << 20,
	Output:   4 << 20,
}

// Kinds of limit, as a Verdict names them.
const (
	LimitMemory   = "memory"
	LimitProcs    = "processes"
	LimitCPU      = "CPU time"
	LimitFileSize = "file size"
	LimitOutput   = "output"
)

// describe says a limit in words: "the 256 MiB memory limit".
func (l Limits) describe(kind string) string {
	switch kind {
	case LimitMemory:
		return "the " + Bytes(l.Memory) + " memory limit"
	case LimitProcs:
		return fmt.Sprintf("the limit of %d processes", l.Procs)
	case LimitCPU:
		return "the " + l.CPUTime.String() + " CPU time limit"
	case LimitFileSize:
		return "the " + Bytes(l.FileSize) + " file size limit"
	case LimitOutput:
		return "the " + Bytes(l.Output) + " output limit"
	}
	return "the " + kind + " limit"
}

// Bytes writes a size the way the flags take it: 256 MiB, 16 KiB, 100 B.
func Bytes(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d B", n)
}

// ParseBytes reads a size: a number with an optional unit, K/KiB, M/MiB,
// G/GiB (powers of 1024), or B; "0", "off" and "none" are no limit.
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if t == "off" || t == "none" {
		return 0, nil
	}
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"gib", 1 << 30}, {"mib", 1 << 20}, {"kib", 1 << 10}, {"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10},
		{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}, {"b", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = rest, u.size
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size like 256M, 16KiB or off", s)
	}
	return n * mult, nil
}
