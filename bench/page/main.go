// Command page measures the page of a long run (socklab run --html): a
// real run of 10,000 pings over a lossy link, its events recorded as the
// host records them, then
//
//   - writing its page (page.Build and page.Write): time and size;
//   - Chromium rendering it (headless, load to screenshot), against named
//     peers in the same run: an empty page (Chromium's own start-up and
//     paint), the page of the first 100 pings, and the same 10,000 pings
//     with the sequence diagram not windowed (every arrow drawn).
//
// Run from the repository root (Chromium installed):
// go run ./bench/page [-pings N] [-rounds N]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/page"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/internal/browser"
	"github.com/socklab/socklab/plugins/sdk"
)

// bePlugin makes this program serve the reference roles, as the host's
// builtin plugin does.
const bePlugin = "PAGE_BENCH_BE_THE_PLUGIN"

// cpuProfile is -cpuprofile.
var cpuProfile string

const labFile = `
lab {
  name    = "10,000 pings"
  seed    = 16
  timeout = "5m"
}
ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0
}
ping_client "client" {
  server   = ping_server.server.address
  count    = %d
  timeout  = "20ms"
  link {
    to_server { loss = 0.03 }
    to_client { loss = 0.03 }
  }
}
`

func main() {
	if os.Getenv(bePlugin) != "" {
		sdk.Serve(labs.Builtin().Plugins())
		return
	}
	pings := flag.Int("pings", 10000, "pings of the run")
	rounds := flag.Int("rounds", 5, "measurements of each target, taking turns")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the page writing to `FILE`")
	flag.Parse()
	cpuProfile = *profile
	if err := bench(*pings, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench/page:", err)
		os.Exit(1)
	}
}

func bench(pings, rounds int) error {
	chromiumPath, err := exec.LookPath("chromium")
	if err != nil {
		return fmt.Errorf("needs chromium (apt-get install chromium): %w", err)
	}
	dir, err := os.MkdirTemp("", "page-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	labPath := filepath.Join(dir, "lab.hcl")
	if err := os.WriteFile(labPath, fmt.Appendf(nil, labFile, pings), 0o644); err != nil {
		return err
	}
	l, diags := lab.Load(labPath, lab.Options{Roles: labs.Builtin().Roles()})
	if diags.HasErrors() {
		return diags
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for _, c := range l.Components {
		c.Plugin.Env = append(c.Plugin.Env, bePlugin+"=1")
	}
	rec := page.NewRecorder(l, labs.Builtin().Figures())
	start := time.Now()
	res := run.Run(context.Background(), l, run.Options{
		Builtin: []string{self}, Builder: &launch.Builder{Dir: filepath.Join(dir, "cache")}, Log: zerolog.Nop(),
		Observe: rec.Observe,
	})
	if !res.OK() {
		return fmt.Errorf("the run failed: %+v", res.Components)
	}
	fmt.Printf("run: %d pings in %s, %d events recorded\n", pings, time.Since(start).Round(time.Millisecond), rec.Len())

	// Writing the page, from the recorded events: Build then Write.
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	var writes, cpus []time.Duration
	var html []byte
	for range rounds {
		c0 := cpuTime()
		t0 := time.Now()
		tr := rec.Trace(res)
		var b bytes.Buffer
		if err := page.Write(&b, tr); err != nil {
			return err
		}
		writes = append(writes, time.Since(t0))
		cpus = append(cpus, cpuTime()-c0)
		html = b.Bytes()
	}
	pprof.StopCPUProfile()
	tr := rec.Trace(res)
	fmt.Printf("page: %d packets, %d RTT points; written in median %s wall (min %s, max %s), %s CPU; %.2f MB\n",
		len(tr.Packets), len(tr.Pings[0].Points), median(writes).Round(time.Millisecond), slices.Min(writes).Round(time.Millisecond),
		slices.Max(writes).Round(time.Millisecond), median(cpus).Round(time.Millisecond), float64(len(html))/1e6)
	if err := os.WriteFile(filepath.Join(os.TempDir(), "page-bench-10000.html"), html, 0o644); err != nil {
		return err
	}

	// Peers.
	full := *tr
	full.MaxRows = len(tr.Packets) + len(tr.Marks) + 1
	var fullHTML bytes.Buffer
	if err := page.Write(&fullHTML, &full); err != nil {
		return err
	}
	small := page.Build(l, labs.Builtin().Figures(), firstPings(rec, 100), res)
	var smallHTML bytes.Buffer
	if err := page.Write(&smallHTML, small); err != nil {
		return err
	}
	targets := []struct {
		name string
		data []byte
	}{
		{"empty page", []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>empty</title></head><body></body></html>")},
		{"page of 100 pings", smallHTML.Bytes()},
		{fmt.Sprintf("page of %d pings", pings), html},
		{fmt.Sprintf("page of %d pings, diagram not windowed", pings), fullHTML.Bytes()},
	}
	c := browser.Chromium{Path: chromiumPath, Profile: filepath.Join(dir, "profile")}
	times := make([][]time.Duration, len(targets))
	// A first load warms Chromium's caches on disk, for every target alike.
	if _, err := c.Screenshot(context.Background(), "file://"+writeTarget(dir, 0, targets[0].data), filepath.Join(dir, "warm.png"), 1200, 2000); err != nil {
		return err
	}
	for range rounds {
		for i, tg := range targets {
			path := writeTarget(dir, i, tg.data)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			load, err := c.Screenshot(ctx, "file://"+path, filepath.Join(dir, fmt.Sprintf("shot-%d.png", i)), 1200, 2000)
			cancel()
			if err != nil {
				return fmt.Errorf("%s: %w", tg.name, err)
			}
			times[i] = append(times[i], load.Elapsed)
		}
	}
	base := median(times[0])
	fmt.Printf("\nChromium, headless, load to screenshot (1200x2000), median of %d, taking turns:\n", rounds)
	fmt.Printf("%-44s %9s %10s %10s %12s\n", "target", "size", "median", "min", "over empty")
	for i, tg := range targets {
		m := median(times[i])
		fmt.Printf("%-44s %8.2fM %10s %10s %12s\n", tg.name, float64(len(tg.data))/1e6, m.Round(time.Millisecond), slices.Min(times[i]).Round(time.Millisecond), (m - base).Round(time.Millisecond))
	}
	fmt.Printf("\nwindowed page of %d pings: %.1fx the empty page's time; not windowed: %.1fx\n", pings,
		float64(median(times[2]))/float64(base), float64(median(times[3]))/float64(base))
	return nil
}

func writeTarget(dir string, i int, data []byte) string {
	path := filepath.Join(dir, fmt.Sprintf("target-%d.html", i))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		panic(err)
	}
	return path
}

// firstPings is the run's events up to the client's ping n+1, a short
// run's events for the small page.
func firstPings(rec *page.Recorder, n int) []run.Event {
	tr := rec.Trace(nil)
	if len(tr.Pings) == 0 || len(tr.Pings[0].Points) <= n {
		return rec.Events()
	}
	cut := tr.Started.Add(time.Duration(tr.Pings[0].Points[n].At * float64(time.Millisecond)))
	var evs []run.Event
	for _, ev := range rec.Events() {
		if ev.Time.Before(cut) && !strings.Contains(ev.Kind, "summary") {
			evs = append(evs, ev)
		}
	}
	return evs
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
