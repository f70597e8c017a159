// Command python compares plugins written in Python (plugins/python, the
// examples of examples/python) with the Go reference plugins, in one run:
//
//   - start-up: from the start of a run to every plugin ready (handshake
//     done, servers bound), as the host reports it, for a ping server and
//     client of each language; and the floor of a Python plugin, the
//     interpreter starting and importing socklab;
//   - ping RTT p50/p99, as the client measures it, for the four pairings
//     of a Go or Python server with a Go or Python client, all under the
//     host; and the floor of Python, a plain Python echo pair.
//
// It runs the socklab command (built from ./host) on lab files, with
// --json, so it measures what a student sees; the targets take turns,
// round by round. Run from the repository
// root: go run ./bench/python [-pings N] [-rounds N] [-starts N] [-python PATH]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	pings := flag.Int("pings", 2000, "round trips per RTT measurement")
	rounds := flag.Int("rounds", 4, "rounds the round trips are spread over")
	starts := flag.Int("starts", 15, "runs per start-up measurement")
	python := flag.String("python", "/usr/bin/python3", "interpreter with python3-grpcio and python3-protobuf")
	flag.Parse()
	if err := bench(*pings, *rounds, *starts, *python); err != nil {
		fmt.Fprintln(os.Stderr, "bench/python:", err)
		os.Exit(1)
	}
}

// pairing is a ping server and client, each the Go reference or Python.
type pairing struct {
	name           string
	server, client string // plugin blocks; "" for the reference
}

func bench(pings, rounds, starts int, python string) error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "examples/python/ping_server.py")); err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	dir, err := os.MkdirTemp("", "socklab-bench-python")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	socklab := filepath.Join(dir, "socklab")
	if out, err := exec.Command("go", "build", "-o", socklab, "./host").CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./host: %v\n%s", err, out)
	}

	plugin := func(script string) string {
		return fmt.Sprintf("plugin {\n    command = [%q, %q]\n    env = { PYTHONPATH = %q }\n  }",
			python, filepath.Join(root, "examples/python", script), filepath.Join(root, "plugins/python"))
	}
	pairings := []pairing{
		{"Go server, Go client", "", ""},
		{"Python server, Go client", plugin("ping_server.py"), ""},
		{"Go server, Python client", "", plugin("ping_client.py")},
		{"Python server, Python client", plugin("ping_server.py"), plugin("ping_client.py")},
	}

	startups, floor, err := measureStartups(socklab, dir, python, root, pairings, starts)
	if err != nil {
		return err
	}
	perRound := max(1, pings/rounds)
	rtts, plain, err := measureRTTs(socklab, dir, python, pairings, rounds, perRound)
	if err != nil {
		return err
	}

	fmt.Printf("start-up, run start to every plugin ready, ms over %d rounds: median (min-max)\n", starts)
	for i, p := range pairings {
		fmt.Printf("  %-36s %s\n", p.name, spread(startups[i]))
	}
	fmt.Printf("  %-36s %s\n", "floor: python3 -c 'import socklab'", spread(floor))
	fmt.Printf("ping RTT over loopback as the client measures it, %d round trips in %d rounds, µs\n", perRound*rounds, rounds)
	fmt.Printf("  %-36s %8s %8s\n", "", "p50", "p99")
	for i, p := range pairings {
		fmt.Printf("  %-36s %8.1f %8.1f\n", p.name, micros(percentile(rtts[i], 50)), micros(percentile(rtts[i], 99)))
	}
	fmt.Printf("  %-36s %8.1f %8.1f\n", "floor: plain Python pair, no host", micros(percentile(plain, 50)), micros(percentile(plain, 99)))
	return nil
}

// measureStartups times n starts of each pairing, and of the interpreter
// importing socklab. The targets take turns, round by round, so that load
// from other work on the machine falls on all of them alike.
func measureStartups(socklab, dir, python, root string, pairings []pairing, n int) ([][]time.Duration, []time.Duration, error) {
	startups := make([][]time.Duration, len(pairings))
	var floor []time.Duration
	for range n {
		for i, p := range pairings {
			r, err := runLab(socklab, dir, p, 1)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", p.name, err)
			}
			startups[i] = append(startups[i], r.startup)
		}
		d, err := importTime(python, filepath.Join(root, "plugins/python"))
		if err != nil {
			return nil, nil, err
		}
		floor = append(floor, d)
	}
	return startups, floor, nil
}

// measureRTTs collects the RTTs of rounds runs of perRound pings for each
// pairing and for the plain Python pair, taking turns as measureStartups.
func measureRTTs(socklab, dir, python string, pairings []pairing, rounds, perRound int) ([][]time.Duration, []time.Duration, error) {
	rtts := make([][]time.Duration, len(pairings))
	var plain []time.Duration
	for range rounds {
		for i, p := range pairings {
			r, err := runLab(socklab, dir, p, perRound)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", p.name, err)
			}
			if len(r.rtts) != perRound {
				return nil, nil, fmt.Errorf("%s: %d replies to %d pings", p.name, len(r.rtts), perRound)
			}
			rtts[i] = append(rtts[i], r.rtts...)
		}
		ds, err := plainRTTs(python, perRound)
		if err != nil {
			return nil, nil, err
		}
		plain = append(plain, ds...)
	}
	return rtts, plain, nil
}

// result is what a run of the host reported.
type result struct {
	startup time.Duration
	rtts    []time.Duration
}

// runLab runs a ping lab of p with count pings, nothing dropped, client
// and server talking directly.
func runLab(socklab, dir string, p pairing, count int) (result, error) {
	lab := fmt.Sprintf(`
lab {
  links = false  # the plugins' own sockets, as the plain pair has no hop either
}

ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0
  %s
}

ping_client "client" {
  server = ping_server.server.address
  count  = %d
  %s
}
`, p.server, count, p.client)
	path := filepath.Join(dir, "bench.hcl")
	if err := os.WriteFile(path, []byte(lab), 0o644); err != nil {
		return result{}, err
	}
	cmd := exec.Command(socklab, "run", "--json", "--seed", "1", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return result{}, fmt.Errorf("%v\n%s", err, stderr.Bytes())
	}
	var r result
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct {
			Component, Kind string
			Event           struct {
				RTT float64 `json:"rtt_s"`
			}
			Startup float64 `json:"startup_s"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return result{}, fmt.Errorf("%q: %v", sc.Bytes(), err)
		}
		switch {
		case l.Kind == "result":
			r.startup = time.Duration(l.Startup * float64(time.Second))
		case l.Component == "client" && l.Kind == "reply":
			r.rtts = append(r.rtts, time.Duration(math.Round(l.Event.RTT*float64(time.Second))))
		}
	}
	return r, sc.Err()
}

// plainPair is a UDP echo server and ping client in plain Python, two
// processes: "server" prints its port and echoes; "client PORT N" prints
// the RTT of each of N pings in nanoseconds.
const plainPair = `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if sys.argv[1] == "server":
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1], flush=True)
    while True:
        m, a = s.recvfrom(1024)
        s.sendto(m.upper(), a)
port, n = int(sys.argv[2]), int(sys.argv[3])
for seq in range(1, n + 1):
    start = time.perf_counter_ns()
    s.sendto(b"Ping %d %f" % (seq, time.time()), ("127.0.0.1", port))
    s.recvfrom(1024)
    print(time.perf_counter_ns() - start)
`

// plainRTTs runs plainPair: the floor of a Python ping, with no plugin
// machinery around the socket calls.
func plainRTTs(python string, n int) ([]time.Duration, error) {
	server := exec.Command(python, "-c", plainPair, "server")
	out, err := server.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := server.Start(); err != nil {
		return nil, err
	}
	defer server.Wait()
	defer server.Process.Kill()
	port, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("plain Python server: %w", err)
	}
	lines, err := exec.Command(python, "-c", plainPair, "client", strings.TrimSpace(port), strconv.Itoa(n)).Output()
	if err != nil {
		return nil, fmt.Errorf("plain Python client: %w", err)
	}
	var ds []time.Duration
	for _, f := range strings.Fields(string(lines)) {
		ns, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		ds = append(ds, time.Duration(ns))
	}
	return ds, nil
}

// importTime times the interpreter starting and importing socklab, the
// least a Python plugin costs before its handshake.
func importTime(python, path string) (time.Duration, error) {
	cmd := exec.Command(python, "-c", "import socklab")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+path)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%s -c 'import socklab': %v\n%s", python, err, out)
	}
	return time.Since(start), nil
}

// percentile is the p-th percentile of ds, nearest rank.
func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Sorted(slices.Values(ds))
	return s[max(0, (p*len(s)+99)/100-1)]
}

func spread(ds []time.Duration) string {
	return fmt.Sprintf("%6.0f (%.0f-%.0f)", millis(percentile(ds, 50)), millis(slices.Min(ds)), millis(slices.Max(ds)))
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
