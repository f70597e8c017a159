package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/socklab/socklab/host/check/isolate"
	"github.com/socklab/socklab/host/check/report"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/page"
)

// Options of a grading run.
type Options struct {
	Suite       *suite.Suite
	Submissions []submission.Submission
	// Jobs is how many submissions are graded at once (with isolate.None, one).
	Jobs int
	// Timeout bounds one submission's whole run of the suite.
	Timeout   time.Duration
	Isolation isolate.Isolation
	// OneCommand runs one submission's check in a child process: this
	// program's argv for `socklab check --one`, which reads a job on stdin
	// (see RunOne).
	OneCommand []string
	Builder    *launch.Builder
	// Sandbox, if set, sandboxes every submission's process and build.
	Sandbox *isolate.Sandbox
	// Progress, if set, gets a line per submission graded.
	Progress io.Writer
	// Traces: each failed scenario's result carries its run's Trace, for
	// the report's pages.
	Traces bool
}

// job is what the parent tells a child `socklab check --one`.
type job struct {
	// Suite is a suite file, or "builtin:ROLE".
	Suite string
	// Scenario names the one scenario to run ("": all of them).
	Scenario   string
	Submission submission.Submission
	// Loopback: bring lo up first (a new network namespace has it down).
	Loopback bool
	// Traces: send a failed scenario's run for its page.
	Traces  bool
	Sandbox *isolate.Sandbox `json:",omitempty"`
}

// childResult is what a child check writes: the result and, when the
// job asks for them, its scenarios' traces (nil for those that passed).
type childResult struct {
	*report.SubmissionResult
	Traces []*page.Trace `json:"traces,omitempty"`
}

// Grade runs the suite against every submission, each in a child process
// of its own (isolated as o.Isolation), o.Jobs at a time, and reports.
func Grade(ctx context.Context, o Options) *report.Report {
	start := time.Now()
	jobs := max(1, o.Jobs)
	if o.Isolation == isolate.None {
		jobs = 1 // plain programs share the host's ports
	}
	r := &report.Report{Suite: o.Suite.Path, Role: o.Suite.Role.Name, Started: start, Isolation: string(o.Isolation), Sandbox: o.Sandbox.String(), Jobs: jobs,
		Submissions: make([]*report.SubmissionResult, len(o.Submissions))}
	subs := o.buildAll(ctx, jobs)

	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	next := make(chan int)
	for range jobs {
		wg.Go(func() {
			for i := range next {
				res := o.gradeOne(ctx, subs[i])
				mu.Lock()
				r.Submissions[i] = res
				done++
				if o.Progress != nil {
					fmt.Fprintf(o.Progress, "graded %s (%d/%d): %s/%s points in %.1fs\n", res.Name, done, len(subs),
						report.Points(res.Points), report.Points(res.MaxPoints), res.ElapsedSeconds)
				}
				mu.Unlock()
			}
		})
	}
	for i := range subs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for i, s := range r.Submissions {
		if s == nil { // interrupted before its turn
			r.Submissions[i] = o.failed(subs[i], "not graded: interrupted")
		}
	}
	r.ElapsedSeconds = time.Since(start).Seconds()
	r.Total()
	return r
}

// buildAll builds the Go submissions first, in this process, so that a
// compile error is a submission's grade and the children find the plugin
// built.
func (o Options) buildAll(ctx context.Context, jobs int) []submission.Submission {
	subs := append([]submission.Submission(nil), o.Submissions...)
	sem := make(chan struct{}, jobs)
	b := o.Builder
	if o.Sandbox != nil {
		b = &launch.Builder{Dir: b.Dir, Socklab: b.Socklab, Sandbox: o.Sandbox.BuildSandboxed}
	}
	var wg sync.WaitGroup
	for i := range subs {
		if subs[i].Spec.From != lab.GoSource || subs[i].Problem != "" {
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			bin, err := b.Build(ctx, subs[i].Spec.Dir)
			subs[i].Binary = bin
			if err != nil {
				var be *launch.BuildError
				if errors.As(err, &be) {
					subs[i].Problem = "does not build:\n" + be.Output
				} else {
					subs[i].Problem = "cannot build: " + err.Error()
				}
			}
		})
	}
	wg.Wait()
	return subs
}

// failed is the grade of a submission that could not run the suite.
func (o Options) failed(sub submission.Submission, why string) *report.SubmissionResult {
	return report.Failed(sub.Name, describeSpec(sub), report.Printable(why), o.Suite)
}

func describeSpec(sub submission.Submission) string {
	if sub.Problem != "" && sub.Spec.From == lab.Builtin && len(sub.Spec.Command) == 0 {
		return "unknown"
	}
	return sub.Spec.String()
}

// gradeOne runs the suite against one submission: each scenario in a
// child process of its own (isolate.Isolation.Run), so that nothing of one scenario
// (sockets in TIME_WAIT, processes, addresses) reaches the next, all
// within o.Timeout.
func (o Options) gradeOne(ctx context.Context, sub submission.Submission) *report.SubmissionResult {
	start := time.Now()
	if sub.Problem != "" {
		return o.failed(sub, sub.Problem)
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	res := &report.SubmissionResult{Name: sub.Name, Component: describeSpec(sub), Note: sub.Note}
	timedOut := false
	for _, sc := range o.Suite.Scenarios {
		if ctx.Err() != nil {
			why := "not run: the check was stopped"
			if timedOut || errors.Is(ctx.Err(), context.DeadlineExceeded) {
				timedOut = true
				why = fmt.Sprintf("not run: the submission's time (%s, --timeout) was up", o.Timeout)
			}
			res.Scenarios = append(res.Scenarios, report.NotRun(sc, why))
			continue
		}
		sr := o.runScenario(ctx, sub, sc)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			timedOut = true
		}
		res.Scenarios = append(res.Scenarios, sr)
	}
	if timedOut {
		res.Error = fmt.Sprintf("did not finish within %s (--timeout); stopped", o.Timeout)
	}
	res.Total()
	res.ElapsedSeconds = time.Since(start).Seconds()
	return res
}

// runScenario runs one scenario of the suite against sub in a child
// process and reads the child's result.
func (o Options) runScenario(ctx context.Context, sub submission.Submission, sc *suite.Scenario) *report.ScenarioResult {
	start := time.Now()
	fail := func(why string) *report.ScenarioResult {
		sr := report.NotRun(sc, report.Printable(why))
		sr.ElapsedSeconds = time.Since(start).Seconds()
		return sr
	}
	input, err := json.Marshal(job{Suite: o.Suite.Path, Scenario: sc.Name, Submission: sub, Loopback: o.Isolation != isolate.None, Traces: o.Traces, Sandbox: o.Sandbox})
	if err != nil {
		return fail("cannot describe the job: " + err.Error())
	}
	out := o.Isolation.Run(ctx, o.OneCommand, input)
	if out.StartErr != nil {
		return fail(fmt.Sprintf("cannot start its check (%s isolation): %v", o.Isolation, out.StartErr))
	}
	res := &report.SubmissionResult{}
	child := childResult{SubmissionResult: res}
	if err := json.Unmarshal(out.Stdout, &child); err != nil || len(res.Scenarios) != 1 {
		why := fmt.Sprintf("its check ended without a result (%v)", out.WaitErr)
		if tail := lastLines(string(out.Stderr), 8); tail != "" {
			why += ":\n" + tail
		}
		if out.Stopped && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = fmt.Sprintf("did not finish within %s (--timeout); stopped", o.Timeout)
		}
		return fail(why)
	}
	if len(child.Traces) == 1 {
		res.Scenarios[0].Trace = child.Traces[0]
	}
	return res.Scenarios[0]
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// RunOne is `socklab check --one`: it reads a job from in, runs its suite
// (or the one scenario it names) against its submission, and writes the
// SubmissionResult as JSON to out. Cancelling ctx (SIGTERM from the
// parent) ends the scenario under way; the result still comes.
func RunOne(ctx context.Context, in io.Reader, out io.Writer, env Env) error {
	var j job
	if err := json.NewDecoder(in).Decode(&j); err != nil {
		return fmt.Errorf("reading the job: %w", err)
	}
	if j.Loopback {
		if err := isolate.LoopbackUp(); err != nil {
			return err
		}
		isolate.AllowLowPorts()
		// A lab machine's address the program hard-codes is this
		// namespace's own.
		for _, ip := range submission.HardCodedAddrs(j.Submission) {
			if err := isolate.AddLocalAddress(ip); err != nil {
				return err
			}
		}
	}
	s, diags := LoadSuite(j.Suite)
	if diags.HasErrors() {
		return fmt.Errorf("suite %s: %s", j.Suite, diags.Error())
	}
	if j.Scenario != "" && !slices.ContainsFunc(s.Scenarios, func(sc *suite.Scenario) bool { return sc.Name == j.Scenario }) {
		return fmt.Errorf("suite %s has no scenario %q", j.Suite, j.Scenario)
	}
	env.Sandbox = j.Sandbox
	start := time.Now()
	res := &report.SubmissionResult{Name: j.Submission.Name, Component: describeSpec(j.Submission)}
	for _, sc := range s.Scenarios {
		if j.Scenario != "" && sc.Name != j.Scenario {
			continue
		}
		if ctx.Err() != nil {
			res.Scenarios = append(res.Scenarios, report.NotRun(sc, "not run: the check was stopped"))
			continue
		}
		env.Traces = j.Traces
		res.Scenarios = append(res.Scenarios, RunScenario(ctx, sc, j.Submission, env))
	}
	res.ElapsedSeconds = time.Since(start).Seconds()
	res.Total()
	child := childResult{SubmissionResult: res}
	if j.Traces {
		for _, sr := range res.Scenarios {
			child.Traces = append(child.Traces, sr.Trace)
		}
	}
	return json.NewEncoder(out).Encode(child)
}
