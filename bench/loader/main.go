// Command loader measures the lab loader (package lab) on large lab files
// against named floors, in one run:
//
//   - hclparse: the raw HCL parse of the same bytes (hclparse.Parser, as
//     Terraform and Packer read their files), with no limits and no
//     evaluation: the floor of any loader of HCL;
//   - lab.ParseHCL: the same parse within limits (the token scan for
//     nesting depth, the size check);
//   - lab.LoadContext: the whole load, from the file to every component's
//     decoded settings.
//
// Each target runs in turn, round by round, so that noise from other work
// on the machine falls on all alike; the figures are medians. CPU time is
// the process's user+system time over the measurement, which load on a
// shared machine inflates less than wall time.
//
// Run from the repository root: go run ./bench/loader [-rounds N] [-size BYTES]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
)

func main() {
	rounds := flag.Int("rounds", 5, "measurements of each target per file")
	size := flag.Int("size", 10<<20, "bytes of the largest generated lab")
	flag.Parse()
	if err := bench(*rounds, *size); err != nil {
		fmt.Fprintln(os.Stderr, "loader:", err)
		os.Exit(1)
	}
}

// sample is one measurement.
type sample struct {
	wall, cpu time.Duration
	alloc     uint64
}

type target struct {
	name string
	run  func(path string, src []byte) error
}

func bench(rounds, size int) error {
	dir, err := os.MkdirTemp("", "socklab-loader-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files := []struct {
		name string
		src  []byte
	}{
		{"8,000 chained locals", chainedLocals(8000)},
		{"4,000 components", pairs(4000)},
		{fmt.Sprintf("%s lab", mib(size)), sized(size)},
	}
	targets := []target{
		{"hclparse (floor)", func(path string, src []byte) error {
			_, diags := hclparse.NewParser().ParseHCL(src, path)
			if diags.HasErrors() {
				return diags
			}
			return nil
		}},
		{"lab.ParseHCL", func(path string, src []byte) error {
			_, diags := lab.ParseHCL(context.Background(), path, src, lab.DefaultLimits())
			if diags.HasErrors() {
				return diags
			}
			return nil
		}},
		{"lab.LoadContext", func(path string, _ []byte) error {
			seed := int64(1)
			_, diags := lab.LoadContext(context.Background(), path, lab.Options{Seed: &seed, Roles: labs.Builtin().Roles()})
			if diags.HasErrors() {
				return diags
			}
			return nil
		}},
	}
	fmt.Printf("go %s, %s/%s, %d CPUs, %d rounds, medians\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), rounds)
	fmt.Printf("%-22s %-18s %10s %10s %10s %12s %12s\n", "file", "target", "wall", "cpu", "alloc", "wall/floor", "cpu/floor")
	for _, f := range files {
		path := filepath.Join(dir, "lab.hcl")
		if err := os.WriteFile(path, f.src, 0o644); err != nil {
			return err
		}
		samples := make([][]sample, len(targets))
		for r := 0; r < rounds; r++ {
			for i, t := range targets {
				s, err := measure(func() error { return t.run(path, f.src) })
				if err != nil {
					return fmt.Errorf("%s on %s: %w", t.name, f.name, err)
				}
				samples[i] = append(samples[i], s)
			}
		}
		floor := median(samples[0])
		for i, t := range targets {
			m := median(samples[i])
			fmt.Printf("%-22s %-18s %10s %10s %10s %11.2fx %11.2fx\n", fmt.Sprintf("%s (%s)", f.name, mib(len(f.src))), t.name,
				ms(m.wall), ms(m.cpu), mib(int(m.alloc)), float64(m.wall)/float64(floor.wall), float64(m.cpu)/float64(floor.cpu))
		}
	}
	return nil
}

// measure runs fn once, after a collection, so that garbage from the
// previous target is not charged to it.
func measure(fn func() error) (sample, error) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	start := time.Now()
	err := fn()
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&after)
	return sample{wall: wall, cpu: cpu, alloc: after.TotalAlloc - before.TotalAlloc}, err
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// median takes each figure's median on its own.
func median(ss []sample) sample {
	pick := func(f func(sample) uint64) uint64 {
		v := make([]uint64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return sample{
		wall:  time.Duration(pick(func(s sample) uint64 { return uint64(s.wall) })),
		cpu:   time.Duration(pick(func(s sample) uint64 { return uint64(s.cpu) })),
		alloc: pick(func(s sample) uint64 { return s.alloc }),
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mib(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
}
