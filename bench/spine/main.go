// Command spine measures the playground's spine against named floors, in
// one run:
//
//   - start-up: from the start of a run to every plugin ready (handshake
//     done, servers bound), for a lab of a reference ping server and client,
//     vs starting the smallest go-plugin gRPC plugin;
//   - ping RTT p50/p99 as the reference client measures it against the
//     reference server, both plugins under the host, vs a minimal Go UDP
//     echo client and server pair (two processes); the reference twice: as
//     a lab runs by default, each ping reported as it happens, and set for
//     measuring (the client's hold_events, the server's summary_only).
//
// Run from the repository root: go run ./bench/spine [-pings N] [-starts N]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/internal/goplugin"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func main() {
	pings := flag.Int("pings", 2000, "round trips per RTT measurement and round")
	rounds := flag.Int("rounds", 5, "rounds, each measuring both RTT targets in turn")
	starts := flag.Int("starts", 30, "start-ups per start-up measurement")
	flag.Parse()
	if err := bench(*pings, *rounds, *starts); err != nil {
		fmt.Fprintln(os.Stderr, "spine:", err)
		os.Exit(1)
	}
}

func bench(pings, rounds, starts int) error {
	dir, err := os.MkdirTemp("", "socklab-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bins := map[string]string{}
	for name, pkg := range map[string]string{"socklab": "./host", "bareplugin": "./bench/spine/bareplugin", "udpecho": "./bench/spine/udpecho"} {
		bins[name] = filepath.Join(dir, name)
		if out, err := exec.Command("go", "build", "-o", bins[name], pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}

	bare, err := bareStartups(bins["bareplugin"], starts)
	if err != nil {
		return err
	}
	labStart, err := labStartups(bins["socklab"], dir, starts)
	if err != nil {
		return err
	}
	// The targets take turns, each round starting with the next one, so
	// that noise from the rest of the machine falls on all alike.
	measure := []func() ([]time.Duration, error){
		func() ([]time.Duration, error) { return echoRTTs(bins["udpecho"], pings) },
		func() ([]time.Duration, error) { return referenceRTTs(bins["socklab"], dir, pings, false) },
		func() ([]time.Duration, error) { return referenceRTTs(bins["socklab"], dir, pings, true) },
	}
	rtts := make([][]time.Duration, len(measure))
	for round := range rounds {
		for i := range measure {
			target := (round + i) % len(measure)
			ds, err := measure[target]()
			if err != nil {
				return err
			}
			rtts[target] = append(rtts[target], ds...)
		}
	}
	floor, live, held := rtts[0], rtts[1], rtts[2]

	fmt.Printf("start-up to all plugins ready, median of %d\n", starts)
	fmt.Printf("  bare go-plugin, one plugin          %8s\n", ms(median(bare)))
	fmt.Printf("  socklab lab, ping server + client   %8s   (%.2fx the bare start of one plugin)\n", ms(median(labStart)), ratio(median(labStart), median(bare)))
	fmt.Printf("ping RTT over loopback, %d round trips in %d rounds\n", pings*rounds, rounds)
	fmt.Printf("  %-40s %10s %10s %15s\n", "", "p50", "p99", "ratio p50/p99")
	fmt.Printf("  %-40s %10s %10s\n", "minimal Go UDP echo pair", us(pct(floor, 50)), us(pct(floor, 99)))
	for _, r := range []struct {
		name string
		rtts []time.Duration
	}{
		{"reference, events live (default)", live},
		{"reference, hold_events + summary_only", held},
	} {
		fmt.Printf("  %-40s %10s %10s %7.2fx/%.2fx\n", r.name, us(pct(r.rtts, 50)), us(pct(r.rtts, 99)),
			ratio(pct(r.rtts, 50), pct(floor, 50)), ratio(pct(r.rtts, 99), pct(floor, 99)))
	}
	return nil
}

// bareStartups times go-plugin's own start of the smallest plugin: from
// NewClient to a dispensed gRPC connection.
func bareStartups(bin string, n int) ([]time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		c := plugin.NewClient(&plugin.ClientConfig{
			HandshakeConfig:  plugin.HandshakeConfig{ProtocolVersion: 1, MagicCookieKey: "BARE_PLUGIN", MagicCookieValue: "bare"},
			Plugins:          plugin.PluginSet{"bare": &goplugin.GRPCPlugin{}},
			Cmd:              exec.Command(bin),
			AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
			Logger:           hclog.NewNullLogger(),
			Stderr:           io.Discard,
		})
		rpc, err := c.Client()
		if err == nil {
			_, err = rpc.Dispense("bare")
		}
		ds = append(ds, time.Since(start))
		c.Kill()
		if err != nil {
			return nil, fmt.Errorf("bare plugin: %w", err)
		}
	}
	return ds, nil
}

func loadLab(dir, src string) (*lab.Lab, error) {
	path := filepath.Join(dir, "bench.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		return nil, err
	}
	seed := int64(1)
	l, diags := lab.Load(path, lab.Options{Seed: &seed, Roles: labs.Builtin().Roles()})
	if diags.HasErrors() {
		return nil, diags
	}
	return l, nil
}

// labStartups times run.Run from its start to every plugin ready.
func labStartups(socklab, dir string, n int) ([]time.Duration, error) {
	l, err := loadLab(dir, `
ping_server "server" {
  listen = "127.0.0.1:0"
}
ping_client "client" {
  server = ping_server.server.address
  count  = 1
}
`)
	if err != nil {
		return nil, err
	}
	var ds []time.Duration
	for i := 0; i < n; i++ {
		res := run.Run(context.Background(), l, options(socklab, dir, nil))
		if !res.OK() {
			return nil, fmt.Errorf("lab failed: %v", res.Components)
		}
		ds = append(ds, res.Startup)
	}
	return ds, nil
}

func options(socklab, dir string, observe func(run.Event)) run.Options {
	return run.Options{
		Builtin: []string{socklab, "plugin"},
		Builder: &launch.Builder{Dir: filepath.Join(dir, "cache")},
		Log:     zerolog.Nop(),
		Observe: observe,
	}
}

// referenceRTTs runs the reference client against the reference server
// under the host and returns the RTTs the client reported; quiet sets both
// for measuring: no events while pinging.
func referenceRTTs(socklab, dir string, n int, quiet bool) ([]time.Duration, error) {
	l, err := loadLab(dir, fmt.Sprintf(`
lab {
  links = false  # the plugins' own sockets, as the floor has no hop either
}
ping_server "server" {
  listen       = "127.0.0.1:0"
  drop_rate    = 0
  summary_only = %[2]v
}
ping_client "client" {
  server      = ping_server.server.address
  count       = %[1]d
  hold_events = %[2]v
}
`, n, quiet))
	if err != nil {
		return nil, err
	}
	rtts := make(chan time.Duration, n)
	res := run.Run(context.Background(), l, options(socklab, dir, func(ev run.Event) {
		if r, ok := ev.Body.(*pb.PingReply); ok {
			rtts <- r.Rtt.AsDuration()
		}
	}))
	if !res.OK() {
		return nil, fmt.Errorf("lab failed")
	}
	close(rtts)
	var ds []time.Duration
	for d := range rtts {
		ds = append(ds, d)
	}
	if len(ds) != n {
		return nil, fmt.Errorf("%d replies of %d", len(ds), n)
	}
	return ds, nil
}

// echoRTTs runs the minimal echo server and client as two processes.
func echoRTTs(bin string, n int) ([]time.Duration, error) {
	srv := exec.Command(bin, "server", "127.0.0.1:0")
	out, err := srv.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, err
	}
	defer srv.Process.Kill()
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return nil, err
	}
	lines, err := exec.Command(bin, "client", strings.TrimSpace(addr), strconv.Itoa(n)).Output()
	if err != nil {
		return nil, err
	}
	var ds []time.Duration
	for _, f := range strings.Fields(string(lines)) {
		ns, _ := strconv.ParseInt(f, 10, 64)
		ds = append(ds, time.Duration(ns))
	}
	return ds, nil
}

func median(ds []time.Duration) time.Duration { return pct(ds, 50) }

func pct(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}

func ratio(a, b time.Duration) float64 { return float64(a) / float64(b) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/1e3) }
