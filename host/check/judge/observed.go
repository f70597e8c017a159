package judge

import (
	"sort"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run"
)

// Observed is everything a scenario's run showed, for the checks.
type Observed struct {
	Lab *lab.Lab
	// Under is the component under test; Plain says it is a plain program.
	Under *lab.Component
	Plain bool
	// Events are every component's events and every link event, in the
	// order they happened.
	Events []run.Event
	Result *run.Result
	Probes []ProbeResult
	// Files are the suite's files, by path relative to Dir.
	Files map[string][]byte
	Dir   string
}

// ProbeResult is what one probe sent and what came back.
type ProbeResult struct {
	Probe string
	Sent  []byte
	Reply []byte
	// Err says why no (whole) answer came; Held: the connection was kept
	// open, silent, for the whole run.
	Err  string
	Held bool
}

// Of returns the events of kind from component c.
func (o *Observed) Of(c *lab.Component, kind string) []run.Event {
	var evs []run.Event
	for _, ev := range o.Events {
		if ev.Component == c && ev.Kind == kind {
			evs = append(evs, ev)
		}
	}
	return evs
}

// Bodies returns the bodies of c's events of kind, as messages of type T.
func Bodies[T proto.Message](o *Observed, c *lab.Component, kind string) []T {
	var out []T
	for _, ev := range o.Of(c, kind) {
		if b, ok := ev.Body.(T); ok {
			out = append(out, b)
		}
	}
	return out
}

// LinkEvents returns what c's link did in direction d, in the order the
// datagrams or segments reached it.
func (o *Observed) LinkEvents(c *lab.Component, d link.Direction) []*link.Event {
	var evs []*link.Event
	for _, ev := range o.Events {
		if ev.Component == c && ev.Source == run.FromLink && ev.Link.Dir == d {
			evs = append(evs, ev.Link)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].Flow != evs[j].Flow {
			return evs[i].Flow < evs[j].Flow
		}
		return evs[i].Seq < evs[j].Seq
	})
	return evs
}

// Peers returns the reference components of role.
func (o *Observed) Peers(role string) []*lab.Component {
	var cs []*lab.Component
	for _, c := range o.Lab.Components {
		if c != o.Under && c.Role.Name == role {
			cs = append(cs, c)
		}
	}
	return cs
}

// Said is how the component under test reports: a plain program prints,
// a plugin reports events.
func (o *Observed) Said() string {
	if o.Plain {
		return "printed"
	}
	return "reported"
}

// SentNothing says that the client under test sent no datagram of what
// (a plain one: to the address it should have written in).
func (o *Observed) SentNothing(what string) string {
	addr := "its server"
	if o.Plain {
		addr = o.Under.Plugin.Expects
		if addr == o.Under.Role.Plain.Address {
			addr += " (the sheet's server address)"
		} else {
			addr += " (the address it hard-codes)"
		}
	}
	return "the client sent no " + what + " to " + addr
}

// Received is when a datagram reached the link: the kernel's stamp where
// there is one (a busy machine delays the link's reading, not the
// sender), else the link's record less the time it held it.
func Received(ev *link.Event) time.Time {
	if !ev.Arrived.IsZero() {
		return ev.Arrived
	}
	return ev.Time.Add(-ev.Delay)
}

// Human shows a duration the way a person reads it: 213µs, 80.3ms, 1.50s.
func Human(d time.Duration) string {
	switch a := d.Abs(); {
	case a < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case a < time.Second:
		return d.Round(100 * time.Microsecond).String()
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
}

// Quote shows a payload as a Go string, cut to a line's length.
func Quote(b []byte) string {
	const max = 60
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "..."
	}
	return strconv.Quote(string(b))
}
