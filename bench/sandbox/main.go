// Command sandbox measures what the sandbox of `socklab check` costs, in
// one run, against the same grading without it:
//
//   - a class: N students' ping clients (the careful Python client of the
//     corpus, host/check/testdata/ping_client/python_good, each with a
//     first line of its own), graded with --sandbox off and --sandbox on,
//     the two taking turns, round by round, each first in every other
//     round; the wall time of each, the ratio, the points, and the
//     scenarios that failed (those that ran to their lab timeout, such as
//     a program that never started, counted apart);
//   - the floor: starting /bin/true sandboxed (supervisor, control groups,
//     bubblewrap) against starting it directly, K times each.
//
// It runs the socklab command built from ./host, as root (the sandbox drops
// to nobody), in the network namespaces check makes. Run from the
// repository root: go run ./bench/sandbox [-n 20] [-jobs 8] [-rounds 1] [-starts 50]
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/socklab/socklab/proto/roles"
)

func main() {
	n := flag.Int("n", 20, "students in the class")
	jobs := flag.Int("jobs", 8, "submissions graded at once (--jobs)")
	rounds := flag.Int("rounds", 1, "gradings of the class per mode")
	starts := flag.Int("starts", 50, "starts of /bin/true per mode")
	flag.Parse()
	if err := bench(*n, *jobs, *rounds, *starts); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sandbox:", err)
		os.Exit(1)
	}
}

func bench(n, jobs, rounds, starts int) error {
	client, err := os.ReadFile("host/check/testdata/ping_client/python_good/UDPPingerClient.py")
	if err != nil {
		return fmt.Errorf("run from the repository root: %w", err)
	}
	work, err := os.MkdirTemp("", "socklab-bench-sandbox")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	socklab := filepath.Join(work, "socklab")
	if out, err := exec.Command("go", "build", "-o", socklab, "./host").CombinedOutput(); err != nil {
		return fmt.Errorf("building socklab: %v\n%s", err, out)
	}
	class := filepath.Join(work, "class")
	for i := range n {
		dir := filepath.Join(class, fmt.Sprintf("student%03d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		// Each student's file is their own, if only by its first line.
		own := append([]byte(fmt.Sprintf("# UDPPingerClient.py, handed in by student %03d\n", i)), client...)
		if err := os.WriteFile(filepath.Join(dir, "UDPPingerClient.py"), own, 0o644); err != nil {
			return err
		}
	}

	// The floor: one sandboxed start against one direct start.
	floor := map[string][]time.Duration{}
	for range starts {
		for _, mode := range []string{"direct", "sandboxed"} {
			argv := []string{"/bin/true"}
			if mode == "sandboxed" {
				argv = []string{socklab, "sandbox-exec", "--config", `{"Limits":{"Memory":268435456,"Procs":64,"CPUTime":60000000000}}`, "--", "/bin/true"}
			}
			start := time.Now()
			if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
				return fmt.Errorf("%s /bin/true: %v %s", mode, err, out)
			}
			floor[mode] = append(floor[mode], time.Since(start))
		}
	}
	fmt.Printf("start of /bin/true, median of %d: direct %s, sandboxed %s\n", starts,
		median(floor["direct"]).Round(10*time.Microsecond), median(floor["sandboxed"]).Round(10*time.Microsecond))

	walls := map[string][]time.Duration{}
	for r := range rounds {
		modes := []string{"off", "on"}
		if r%2 == 1 {
			modes = []string{"on", "off"} // each goes first as often: the machine's load drifts
		}
		for _, mode := range modes {
			reports := filepath.Join(work, fmt.Sprintf("reports-%s-%d", mode, r))
			start := time.Now()
			cmd := exec.Command(socklab, "check", "--role", roles.PingClient().Name, "--jobs", fmt.Sprint(jobs),
				"--sandbox", mode, "--report", reports, class)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			wall := time.Since(start)
			// Status 1: some scenario failed, which the summary counts.
			if ee := (*exec.ExitError)(nil); err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 1) {
				return fmt.Errorf("--sandbox %s: %v\n%s\n%s", mode, err, out, stderr.String())
			}
			sum, err := summarize(filepath.Join(reports, "report.json"))
			if err != nil {
				return err
			}
			fmt.Printf("round %d, --sandbox %-3s: %d students in %s (%v points of %v; %d of %d scenarios failed, %d never finished)\n",
				r+1, mode, n, wall.Round(100*time.Millisecond), sum.points, sum.maxPoints, sum.failed, sum.scenarios, sum.hung)
			for _, e := range sum.errors {
				fmt.Printf("  %s\n", e)
			}
			walls[mode] = append(walls[mode], wall)
		}
	}
	off, on := median(walls["off"]), median(walls["on"])
	fmt.Printf("class of %d, --jobs %d, median of %d: off %s, on %s, ratio %.3f\n", n, jobs, rounds,
		off.Round(100*time.Millisecond), on.Round(100*time.Millisecond), on.Seconds()/off.Seconds())
	return nil
}

// summary is what a report says of a grading: its points, and its
// scenarios that failed, those that ran to the lab's timeout among them.
type summary struct {
	points, maxPoints       float64
	scenarios, failed, hung int
	errors                  []string
}

func summarize(path string) (summary, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return summary{}, err
	}
	var r struct {
		Points      float64 `json:"points"`
		MaxPoints   float64 `json:"max_points"`
		Submissions []struct {
			Name      string `json:"name"`
			Scenarios []struct {
				Name   string `json:"name"`
				Passed bool   `json:"passed"`
				Error  string `json:"error"`
				Checks []struct {
					Name     string   `json:"name"`
					Passed   bool     `json:"passed"`
					Evidence []string `json:"evidence"`
				} `json:"checks"`
			} `json:"scenarios"`
		} `json:"submissions"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return summary{}, err
	}
	s := summary{points: r.Points, maxPoints: r.MaxPoints}
	for _, sub := range r.Submissions {
		for _, sc := range sub.Scenarios {
			s.scenarios++
			if sc.Passed {
				continue
			}
			s.failed++
			if strings.Contains(sc.Error, "did not finish") {
				s.hung++
			}
			why := strings.SplitN(sc.Error, "\n", 2)[0]
			for _, c := range sc.Checks {
				if !c.Passed && why == "" && len(c.Evidence) > 0 {
					why = c.Name + ": " + c.Evidence[0]
				}
			}
			s.errors = append(s.errors, fmt.Sprintf("%s %s: %s", sub.Name, sc.Name, why))
		}
	}
	return s, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
