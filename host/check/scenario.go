package check

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/check/isolate"
	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/report"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/page"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Env is what running scenarios needs from the host.
type Env struct {
	// Builtin is the command line serving the reference roles.
	Builtin []string
	Builder *launch.Builder
	Log     zerolog.Logger
	// Contain is the host's command line to contain components with
	// (run.Options.Contain).
	Contain []string
	// TempDir is where each scenario gets its directory ("" the system's).
	TempDir string
	// Traces: a failed scenario's result carries its run's Trace.
	Traces bool
	// Sandbox, if set, sandboxes the component under test.
	Sandbox *isolate.Sandbox
}

// observation is a scenario's run as the runner keeps it: what the
// checks see, and what only the runner needs.
type observation struct {
	*judge.Observed
	sc *suite.Scenario
	// limit says which sandbox limit the component under test exceeded.
	limit string
	// kept and dropped count each component's events, kept up to
	// maxObservedEvents so that a flooding submission cannot take the
	// grader's memory.
	kept, dropped map[*lab.Component]int
}

// maxObservedEvents is how many events of one component a scenario keeps
// for its checks: the sheet's labs send tens, a load test thousands.
const maxObservedEvents = 200_000

// Default probe waits.
const (
	defaultTCPProbeWait = 3 * time.Second
	defaultUDPProbeWait = 200 * time.Millisecond
)

// RunScenario runs one scenario with sub as its component under test and
// judges it.
func RunScenario(ctx context.Context, sc *suite.Scenario, sub submission.Submission, env Env) *report.ScenarioResult {
	start := time.Now()
	sr := &report.ScenarioResult{Name: sc.Name, Description: sc.Description, MaxPoints: sc.MaxPoints()}
	for _, c := range sc.Checks {
		sr.Checks = append(sr.Checks, report.CheckResult{Name: c.Name, MaxPoints: c.Points, Extra: c.Extra})
	}
	defer func() {
		sr.ElapsedSeconds = time.Since(start).Seconds()
		// What a submission printed reaches the reports: as text only.
		sr.Error = report.Printable(sr.Error)
		for i := range sr.Checks {
			for j, e := range sr.Checks[i].Evidence {
				sr.Checks[i].Evidence[j] = report.Printable(e)
			}
		}
	}()
	if sub.Problem != "" {
		sr.Error = sub.Problem
		return sr
	}
	dir, err := os.MkdirTemp(env.TempDir, "scenario-")
	if err != nil {
		sr.Error = fmt.Sprintf("scenario directory: %v", err)
		return sr
	}
	defer os.RemoveAll(dir)
	o, err := observe(ctx, sc, dir, sub, env)
	if err != nil {
		sr.Error = err.Error()
		return sr
	}
	sr.Seed = o.Lab.Seed
	judgeRun(o, sr)
	if env.Traces && !sr.Passed {
		sr.Trace = o.trace(sr)
	}
	return sr
}

// trace is the scenario's run for its page: the packets the failed
// checks' evidence names are highlighted, the component under test named.
func (o *observation) trace(sr *report.ScenarioResult) *page.Trace {
	t := page.Build(o.Lab, figures(), o.Events, o.Result)
	t.Title = o.sc.Name
	var evidence []string
	for _, c := range sr.Checks {
		if !c.Passed {
			evidence = append(evidence, c.Evidence...)
		}
	}
	t.HighlightFrom(evidence)
	t.MarkUnderTest(o.Under.Name)
	return t
}

// prepare writes the suite's files into dir and loads the scenario's lab
// there with sub as the component under test.
func prepare(sc *suite.Scenario, dir string, sub submission.Submission) (*lab.Lab, *lab.Component, error) {
	s := sc.Suite
	for path, data := range s.Files {
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return nil, nil, err
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return nil, nil, err
		}
	}
	l, diags := sc.Load(dir)
	if diags.HasErrors() {
		return nil, nil, fmt.Errorf("scenario %s: %s", sc.Name, diags.Error())
	}
	if l.SeedOrigin == "random" {
		// A scenario without a seed still runs the same way every time.
		h := fnv.New64a()
		h.Write([]byte(sc.Name))
		l.Seed, l.SeedOrigin = int64(h.Sum64()>>1), "scenario name"
	}
	under, err := suite.UnderTest(l, s.Role)
	if err != nil {
		return nil, nil, err
	}
	spec := sub.Spec
	if spec.StartTimeout == 0 {
		spec.StartTimeout = lab.DefaultStartTimeout
	}
	if spec.From == lab.Plain && spec.Expects == "" && s.Role.Side == roles.Client {
		// A plain client sends where it was written to: the sheet's address,
		// or the address it hard-codes (a lab machine's), made local.
		spec.Expects = s.Role.Plain.Address
		if ips := submission.HardCodedAddrs(sub); len(ips) > 0 && spec.Expects != "" {
			_, port, _ := net.SplitHostPort(spec.Expects)
			spec.Expects = net.JoinHostPort(ips[0].String(), port)
		}
	}
	if spec.WorkDir == "" {
		spec.WorkDir = sub.Dir
		if dir := s.Role.Plain.Dir; dir != nil && spec.From == lab.Plain {
			spec.WorkDir = dir(under.Config)
		}
		if spec.WorkDir == "" {
			spec.WorkDir = dir
		}
	}
	under.Plugin = spec
	return l, under, nil
}

// observe runs the scenario's lab and gathers what happened.
func observe(ctx context.Context, sc *suite.Scenario, dir string, sub submission.Submission, env Env) (*observation, error) {
	l, under, err := prepare(sc, dir, sub)
	if err != nil {
		return nil, err
	}
	o := &observation{Observed: &judge.Observed{Lab: l, Under: under, Plain: under.Plugin.From == lab.Plain, Files: sc.Suite.Files, Dir: dir},
		sc: sc, kept: map[*lab.Component]int{}, dropped: map[*lab.Component]int{}}
	if env.Sandbox != nil {
		// The verdict goes beside the scenario's directory, which the
		// program may see (a web server's root), not in it.
		vdir, err := os.MkdirTemp(env.TempDir, "verdict-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(vdir)
		verdict := filepath.Join(vdir, "verdict.json")
		if err := env.Sandbox.Wrap(under, sub, dir, verdict); err != nil {
			return nil, fmt.Errorf("cannot sandbox it: %w", err)
		}
		defer func() { o.limit = isolate.LimitExceeded(verdict, sc.Name) }()
	}
	var mu sync.Mutex
	var held []io.Closer
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	w := newEnoughWatch(under, sc.Suite.Grader)
	defer w.close()
	// A flood past the limit scores nothing whatever follows: the run ends
	// there rather than at a server's start timeout or the lab's limit.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	opts := run.Options{
		Builtin: env.Builtin, Builder: env.Builder, Log: env.Log, Contain: env.Contain,
		Observe: func(ev run.Event) {
			mu.Lock()
			flooded := false
			if o.kept[ev.Component] < maxObservedEvents {
				o.kept[ev.Component]++
				o.Events = append(o.Events, ev)
			} else {
				o.dropped[ev.Component]++
				flooded = ev.Component == under
			}
			mu.Unlock()
			if flooded {
				stopRun()
			}
			w.see(ev)
		},
		Enough: w.enough,
	}
	if len(sc.Probes) > 0 {
		opts.ServersReady = func(ctx context.Context, servers map[string]string) error {
			o.Probes, held = runProbes(ctx, sc.Probes, under.Role.Transport, servers[under.Name])
			return nil
		}
	}
	o.Result = run.Run(runCtx, l, opts)
	o.Result.Interrupted = o.Result.Interrupted && ctx.Err() != nil
	sort.SliceStable(o.Events, func(i, j int) bool { return o.Events[i].Time.Before(o.Events[j].Time) })
	return o, nil
}

// judge evaluates the checks and scores the scenario. A failure of the
// component under test (it crashed, or ran past the limit) is noted and
// costs only the checks that needed what did not happen; a failure of a
// reference or of the run itself scores nothing.
func judgeRun(o *observation, sr *report.ScenarioResult) {
	sc := o.sc
	res := o.Result
	underErr, otherErr := "", ""
	for _, c := range res.Components {
		switch {
		case c.Err == nil:
		case c.Component == o.Under:
			underErr = c.Err.Error()
		case otherErr == "":
			otherErr = fmt.Sprintf("the reference %s failed: %v", c.Component, c.Err)
		}
	}
	switch {
	case res.Err != nil:
		otherErr = res.Err.Error()
	case res.Interrupted:
		otherErr = "interrupted before the scenario was over"
	}
	for i, spec := range sc.Checks {
		cr := &sr.Checks[i]
		ev, err := spec.Judge(o.Observed)
		switch {
		case err != nil && underErr != "":
			cr.Evidence = []string{"nothing to judge: the " + o.Under.Role.Name + " under test " + report.FirstLine(underErr)}
		case err != nil:
			cr.Evidence = []string{"the scenario cannot judge this: " + err.Error()}
			if otherErr == "" {
				otherErr = fmt.Sprintf("check %s cannot judge this run: %v", spec.Name, err)
			}
		case len(ev) == 0:
			cr.Passed, cr.Points = true, spec.Points
		default:
			cr.Evidence = ev
		}
	}
	sr.Error = underErr
	if otherErr != "" {
		sr.Error = otherErr
	}
	if addr := o.boundAt(); addr != "" {
		sr.Notes = append(sr.Notes, "the server was reached at "+addr+", where it bound (read from /proc)")
	}
	if o.Under.Plugin.From == lab.Plain && o.Under.Role.Side == roles.Client && o.Under.Plugin.Expects != o.Under.Role.Plain.Address {
		sr.Notes = append(sr.Notes, "the client's link listened at "+o.Under.Plugin.Expects+", where it sends")
	}
	if n := o.dropped[o.Under]; n > 0 && o.limit == "" {
		o.limit = fmt.Sprintf("made more than %d events (its own and its link's) in scenario %s; %d more were not kept", maxObservedEvents, sc.Name, n)
	}
	if o.limit != "" {
		// The sandbox stopped it at a limit: that is the cause, and what
		// it did until then (a flood of reply lines) counts for nothing.
		sr.Error = o.limit
		for i := range sr.Checks {
			if cr := &sr.Checks[i]; cr.Passed {
				cr.Passed, cr.Points, cr.Evidence = false, 0, []string{"not counted: the program " + o.limit}
			}
		}
	}
	sr.Passed = sr.Error == ""
	for _, c := range sr.Checks {
		sr.Passed = sr.Passed && c.Passed
		if otherErr == "" {
			sr.Points += c.Points
		}
	}
}

// boundAt is where a plain server under test was found bound ("" for
// anything else).
func (o *observation) boundAt() string {
	if !o.Plain || o.Under.Role.Side != roles.Server {
		return ""
	}
	if r := judge.Bodies[*pb.Ready](o.Observed, o.Under, "ready"); len(r) > 0 {
		return r[0].Address
	}
	return ""
}

// runProbes sends each probe to the server at addr, in order, and returns
// what came back and the connections held open.
func runProbes(ctx context.Context, probes []suite.Probe, transport roles.Transport, addr string) ([]judge.ProbeResult, []io.Closer) {
	var results []judge.ProbeResult
	var held []io.Closer
	for _, p := range probes {
		if transport == roles.UDP {
			results = append(results, udpProbe(ctx, p, addr)...)
			continue
		}
		r, c := tcpProbe(ctx, p, addr)
		results = append(results, r)
		if c != nil {
			held = append(held, c)
		}
	}
	return results, held
}

// udpProbe sends each datagram, then gives the server Wait to take them.
func udpProbe(ctx context.Context, p suite.Probe, addr string) []judge.ProbeResult {
	var results []judge.ProbeResult
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return []judge.ProbeResult{{Probe: p.Name, Err: err.Error()}}
	}
	defer conn.Close()
	for _, b := range p.Send {
		r := judge.ProbeResult{Probe: p.Name, Sent: b}
		if _, err := conn.Write(b); err != nil {
			r.Err = err.Error()
		}
		results = append(results, r)
	}
	wait := p.Wait
	if wait == 0 {
		wait = defaultUDPProbeWait
	}
	select {
	case <-time.After(wait):
	case <-ctx.Done():
	}
	return results
}

// tcpProbe sends a probe's bytes over one connection and reads the answer
// until the server closes it or Wait passes; a held probe's connection is
// returned open instead.
func tcpProbe(ctx context.Context, p suite.Probe, addr string) (judge.ProbeResult, io.Closer) {
	r := judge.ProbeResult{Probe: p.Name}
	for _, b := range p.Send {
		r.Sent = append(r.Sent, b...)
	}
	wait := p.Wait
	if wait == 0 {
		wait = defaultTCPProbeWait
	}
	d := net.Dialer{Timeout: wait}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		r.Err = err.Error()
		return r, nil
	}
	if _, err := conn.Write(r.Sent); err != nil {
		r.Err = err.Error()
	}
	if p.Hold {
		r.Held = true
		return r, conn
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(wait))
	r.Reply, err = io.ReadAll(io.LimitReader(conn, 1<<20))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded) && len(r.Reply) == 0:
		r.Err = fmt.Sprintf("no answer within %s", wait)
	case errors.Is(err, os.ErrDeadlineExceeded):
		// An answer, and the connection left open: that is allowed.
	case err != nil:
		r.Err = err.Error()
	}
	return r, nil
}
