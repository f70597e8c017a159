// Package figure is what a role adds to its run's page beyond the lanes,
// packets and summary every component gets: the figures' data (ping RTT
// points, heartbeat timelines, web waterfall rows) and the marks on its
// lanes. A role's labs.Role sets a Figure maker; host/page builds a page
// with a Set of them, by role name, and never looks at a role's events
// itself. It is apart from host/page so that host/labs, which registers
// each role's Figure, need not import the page's renderer.
package figure

import (
	"time"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/run"
)

// A Figure puts one component's events on its page: each of the
// component's role events, in time order, is given to Add.
type Figure interface {
	Add(b *Builder, ev run.Event)
}

// Set makes the Figure of each component on a page, by its role's name;
// a role without one gets only the generic lanes, packets and summary.
type Set map[string]func(c *lab.Component) Figure

// Lane kinds.
const (
	ClientLane     = "client"
	ServerLane     = "server"
	LinkClientSide = "link-client-side"
	LinkServerSide = "link-server-side"
)

// Builder gathers what Figures add to one page, which host/page orders by
// component. Figures fill the series they get from Pings, Heartbeats and
// Web in place.
type Builder struct {
	// Marks are in the order they were added.
	Marks []Mark
	// Pings are by client, Beats by server then client, Web by client.
	Pings map[string]*PingSeries
	Beats map[string]map[string]*HeartbeatClient
	Web   map[string][]WebRow

	started  time.Time
	lane     func(kind, component string) int
	describe func(run.Event) string
}

// NewBuilder returns a Builder for a page whose times count from started,
// whose lanes lane finds (-1: none), and whose events describe tells in
// the lab sheet's words.
func NewBuilder(started time.Time, lane func(kind, component string) int, describe func(run.Event) string) *Builder {
	return &Builder{started: started, lane: lane, describe: describe}
}

// Ms is at in milliseconds since the page's start.
func (b *Builder) Ms(at time.Time) float64 {
	return float64(at.Sub(b.started)) / float64(time.Millisecond)
}

// Millis is d in milliseconds.
func Millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Describe is ev in the lab sheet's words, as the console shows it.
func (b *Builder) Describe(ev run.Event) string { return b.describe(ev) }

// Mark puts m on the lane of that kind of component; a lane the page does
// not have gets none.
func (b *Builder) Mark(laneKind, component string, m Mark) {
	m.Lane = b.lane(laneKind, component)
	if m.Lane < 0 {
		return
	}
	b.Marks = append(b.Marks, m)
}

// Ping is client's series of pings, made on first use.
func (b *Builder) Ping(client string) *PingSeries {
	if b.Pings == nil {
		b.Pings = map[string]*PingSeries{}
	}
	s := b.Pings[client]
	if s == nil {
		s = &PingSeries{Client: client}
		b.Pings[client] = s
	}
	return s
}

// Heartbeat is what server heard of client, made on first use.
func (b *Builder) Heartbeat(server, client string) *HeartbeatClient {
	if b.Beats == nil {
		b.Beats = map[string]map[string]*HeartbeatClient{}
	}
	if b.Beats[server] == nil {
		b.Beats[server] = map[string]*HeartbeatClient{}
	}
	hc := b.Beats[server][client]
	if hc == nil {
		hc = &HeartbeatClient{Client: client}
		b.Beats[server][client] = hc
	}
	return hc
}

// AddWeb adds a request of row.Client to its waterfall; the page pairs it
// with the link's connections.
func (b *Builder) AddWeb(row WebRow) {
	if b.Web == nil {
		b.Web = map[string][]WebRow{}
	}
	b.Web[row.Client] = append(b.Web[row.Client], row)
}
