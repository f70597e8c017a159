package run

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/proto/roles"
)

// Status is how a component ended.
type Status int

const (
	// OK: it ran, and what it reported shows it did its part.
	OK Status = iota
	// Failed: its process or its Run failed, or it ran without doing what
	// its role is for (see Verdict).
	Failed
	// NotRun: its Run was never called, because the run ended first.
	NotRun
)

func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case Failed:
		return "failed"
	case NotRun:
		return "not run"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Status tells how the component ended.
func (c *ComponentResult) Status() Status {
	switch {
	case c.Err != nil || c.Verdict != nil:
		return Failed
	case c.NotRun != nil:
		return NotRun
	}
	return OK
}

// Failure is why the component did not succeed: its error, its verdict,
// or why it never ran; nil when it succeeded.
func (c *ComponentResult) Failure() error {
	switch {
	case c.Err != nil:
		return c.Err
	case c.Verdict != nil:
		return c.Verdict
	}
	return c.NotRun
}

// evidence is what a component's run shows about it, beside its Summary:
// the count of each kind of event, the first of its events its role's
// Verdict.Failed calls a failure, and the traffic of the links in front
// of it.
type evidence struct {
	kinds    map[string]int
	failures int
	failure  string // the first failure, in its role's words

	summary proto.Message
	// toServer is what the links carried toward it (a server) or from it
	// (a client), when any link did: hasLink.
	toServer link.DirSummary
	back     link.DirSummary // what came back from a server
	hasLink  bool
}

// note adds one event of a component of role r to the evidence.
func (e *evidence) note(r roles.Role, kind string, body proto.Message) {
	if e.kinds == nil {
		e.kinds = map[string]int{}
	}
	e.kinds[kind]++
	if r.Verdict.Failed == nil {
		return
	}
	if what, failed := r.Verdict.Failed(body); failed {
		e.failures++
		if e.failure == "" {
			e.failure = what
		}
	}
}

// carried is how many datagrams or segments reached the links toward the
// server; delivered how many the links passed on.
func (e *evidence) carried() uint64   { return e.toServer.Packets }
func (e *evidence) delivered() uint64 { return e.toServer.Delivered }

// verdict says whether a component of role r that ran to the end did its
// part: nil if it did, or what it failed to do. It judges only from
// evidence: a server nothing was sent to is not blamed for reporting
// nothing.
func (e *evidence) verdict(r roles.Role) error {
	unit := "datagram"
	if r.Transport == roles.TCP {
		unit = "segment"
	}
	said, idle := "", false
	if e.summary != nil && r.Verdict.Idle != nil {
		said, idle = r.Verdict.Idle(e.summary)
	}
	if r.Side == roles.Client {
		switch {
		case idle:
			return errors.New(said)
		case e.failures > 0:
			return fmt.Errorf("%d %s (%s)", e.failures, r.Verdict.Failures, e.failure)
		}
		return e.sentNothing(unit)
	}
	switch {
	case idle:
		return e.heardNothing(unit, said)
	case e.summary == nil && r.Verdict.Answers:
		return e.answeredNothing(unit)
	}
	return nil
}

// sentNothing blames a client whose link carried nothing from it.
func (e *evidence) sentNothing(unit string) error {
	if e.hasLink && e.carried() == 0 {
		return fmt.Errorf("sent nothing: its link carried no %s to the server", unit)
	}
	return nil
}

// heardNothing blames a server whose Summary reports nothing although
// its links delivered traffic to it.
func (e *evidence) heardNothing(unit, said string) error {
	if e.hasLink && e.delivered() > 0 {
		return fmt.Errorf("its Summary says %s, but its clients' links delivered %d %s(s) to it", said, e.delivered(), unit)
	}
	return nil
}

// answeredNothing blames a server without Summary (a plain program) that
// sent nothing back on connections that brought it requests.
func (e *evidence) answeredNothing(unit string) error {
	if !e.hasLink || e.delivered() == 0 || e.back.Packets > 0 {
		return nil
	}
	return fmt.Errorf("answered nothing, though its clients' links delivered %d %s(s) to it", e.delivered(), unit)
}

// judge sets each component's verdict, and the cause of those never run.
// It runs once every link is closed, so their summaries are final.
func judge(res *Result, comps []*component, first *component) {
	cause := notRunCause(res, first)
	// What the links carried toward each server, by the address its
	// clients reach it at.
	toServer, back := map[string]*link.DirSummary{}, map[string]*link.DirSummary{}
	for i, cr := range res.Components {
		c := comps[i]
		if cr.Link == nil {
			continue
		}
		if toServer[c.target] == nil {
			toServer[c.target], back[c.target] = &link.DirSummary{}, &link.DirSummary{}
		}
		add(toServer[c.target], cr.Link.ToServer)
		add(back[c.target], cr.Link.ToClient)
	}
	for i, cr := range res.Components {
		c := comps[i]
		if !c.ran() {
			cr.NotRun = cause
			continue
		}
		if cr.Err != nil || res.Interrupted || first != nil || res.Err != nil {
			continue // cut short: what it did not do proves nothing
		}
		e := c.evidence()
		e.summary = cr.Summary
		switch {
		case c.lab.Role.Side == roles.Client && cr.Link != nil:
			e.toServer, e.hasLink = cr.Link.ToServer, true
		case c.lab.Role.Side == roles.Server && cr.Address != "":
			if d := toServer[lab.Connectable(cr.Address)]; d != nil {
				e.toServer, e.back, e.hasLink = *d, *back[lab.Connectable(cr.Address)], true
			}
		}
		cr.Verdict = e.verdict(c.lab.Role)
	}
}

func add(d *link.DirSummary, s link.DirSummary) {
	d.Packets += s.Packets
	d.Bytes += s.Bytes
	d.Delivered += s.Delivered
	d.DeliveredBytes += s.DeliveredBytes
	d.Dropped += s.Dropped
}

// notRunCause says why components were never run: the run's own failure,
// an interrupt, or the first component that failed.
func notRunCause(res *Result, first *component) error {
	switch {
	case res.Err != nil:
		return fmt.Errorf("not run: the run failed first: %w", res.Err)
	case res.Interrupted:
		return errors.New("not run: interrupted before it started")
	case first != nil:
		return fmt.Errorf("not run: %s failed first", first.lab)
	}
	return errors.New("not run: the run ended before it started")
}
