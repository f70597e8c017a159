package page

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/output"
	"github.com/socklab/socklab/host/page/figure"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/internal/lazy"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Trace is what a page shows of one run. Times are milliseconds since
// Started, the time of the run's first event.
type Trace struct {
	Title   string    `json:"title"`
	Lab     LabInfo   `json:"lab"`
	Started time.Time `json:"started"`
	// Lanes are the sequence diagram's lifelines: each client, its link's
	// client side and server side, then each server.
	Lanes []Lane `json:"lanes"`
	// Packets are every datagram or segment a link saw, in the order the
	// link delivered or dropped them.
	Packets    []Packet          `json:"packets"`
	Marks      []Mark            `json:"marks,omitempty"`
	Pings      []PingSeries      `json:"pings,omitempty"`
	Heartbeats []HeartbeatSeries `json:"heartbeats,omitempty"`
	Web        []WebRow          `json:"web,omitempty"`
	Summary    []SummaryRow      `json:"summary"`
	// Finished: the run is over and Verdict says how it ended.
	Finished bool    `json:"finished"`
	Verdict  string  `json:"verdict,omitempty"`
	Elapsed  float64 `json:"elapsed_ms"`
	// Highlight are packet keys ("ping 3", "GET /x") to point out: a
	// grade's offending packets.
	Highlight []string `json:"highlight,omitempty"`
	// MaxRows bounds the rows of the sequence diagram (0: DefaultMaxRows);
	// a long run's diagram keeps its first and last rows and those around
	// anything notable.
	MaxRows int `json:"max_rows,omitempty"`
}

// LabInfo describes the lab that ran.
type LabInfo struct {
	Name       string          `json:"name"`
	Path       string          `json:"path"`
	Seed       int64           `json:"seed"`
	SeedOrigin string          `json:"seed_origin"`
	Components []ComponentInfo `json:"components"`
}

// ComponentInfo is one component of the lab as the lab file sets it.
type ComponentInfo struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Plugin   string `json:"plugin"`
	Settings string `json:"settings"`
	// Link describes a client's link: "direct", or each direction's
	// impairments.
	Link string `json:"link,omitempty"`
}

// Directions of a packet.
const (
	ToServer = "to server"
	ToClient = "to client"
)

// Lane kinds.
const (
	ClientLane     = figure.ClientLane
	ServerLane     = figure.ServerLane
	LinkClientSide = figure.LinkClientSide
	LinkServerSide = figure.LinkServerSide
)

// Lane is one lifeline.
type Lane struct {
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Component string `json:"component"`
}

// Packet is one datagram or segment as the link saw it: sent from lane
// From to lane To; if the link dropped it (or a reset cut it off), it
// ended at lane Drop, the link's side it came in on.
type Packet struct {
	Link  string `json:"link"` // the client component whose link it crossed
	Proto string `json:"proto"`
	Dir   string `json:"dir"`
	Flow  int    `json:"flow"`
	Seq   uint64 `json:"seq"`
	Size  int    `json:"size"`
	From  int    `json:"from"`
	To    int    `json:"to"`
	Drop  int    `json:"drop"` // -1 unless Lost
	// At is when it reached the link, Done when the link delivered or
	// dropped it.
	At   float64 `json:"at"`
	Done float64 `json:"done"`
	Fate string  `json:"fate"`
	Lost bool    `json:"lost"`
	// Odd: duplicated or reordered (a delay shows in the arrow's slope).
	Odd   bool   `json:"odd,omitempty"`
	Label string `json:"label"`
	// Key names the message it carried ("ping 3", "heartbeat 7",
	// "GET /index.html"), to match it with what the components said.
	Key string `json:"key,omitempty"`
}

// What a role's Figure adds to its page (package figure).
type (
	Mark            = figure.Mark
	PingSeries      = figure.PingSeries
	PingPoint       = figure.PingPoint
	HeartbeatClient = figure.HeartbeatClient
	Beat            = figure.Beat
	LostRun         = figure.LostRun
	Interval        = figure.Interval
	WebRow          = figure.WebRow
)

// Mark kinds.
const (
	MarkTimeout = figure.MarkTimeout
	MarkLate    = figure.MarkLate
	MarkLost    = figure.MarkLost
	MarkDown    = figure.MarkDown
	MarkUp      = figure.MarkUp
	MarkFailed  = figure.MarkFailed
)

// Ping statuses.
const (
	Replied  = figure.Replied
	TimedOut = figure.TimedOut
	Late     = figure.Late
	Pending  = figure.Pending
)

// HeartbeatSeries is what one heartbeat server said of its clients.
type HeartbeatSeries struct {
	Server  string            `json:"server"`
	Clients []HeartbeatClient `json:"clients"`
}

// SummaryRow is a component's line of the console's final report.
type SummaryRow struct {
	Component string `json:"component"`
	Role      string `json:"role"`
	Status    string `json:"status"`
	Plugin    string `json:"plugin"`
	Summary   string `json:"summary,omitempty"`
	Link      string `json:"link,omitempty"`
	Error     string `json:"error,omitempty"`
}

// Recorder gathers a run's events for its page; Observe may be called
// from many goroutines, as run.Options.Observe is.
type Recorder struct {
	lab  *lab.Lab
	figs figure.Set

	mu     sync.Mutex
	events []run.Event
}

// NewRecorder returns a Recorder for a run of l whose roles draw their
// own figures with figs (host/labs' Registry.Figures).
func NewRecorder(l *lab.Lab, figs figure.Set) *Recorder {
	return &Recorder{lab: l, figs: figs}
}

// Observe records one event.
func (r *Recorder) Observe(ev run.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}

// Trace builds the page's data from the events so far; res is the run's
// result once it is over, nil while it runs.
func (r *Recorder) Trace(res *run.Result) *Trace {
	r.mu.Lock()
	evs := append([]run.Event(nil), r.events...)
	r.mu.Unlock()
	return Build(r.lab, r.figs, evs, res)
}

// Build makes the Trace of a run of l from its events (in any order) and,
// if the run is over, its result; each component's role events go to its
// role's Figure in figs, if it has one.
func Build(l *lab.Lab, figs figure.Set, events []run.Event, res *run.Result) *Trace {
	evs := append([]run.Event(nil), events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	t := &Trace{Title: l.Name, Lab: labInfo(l)}
	if t.Title == "" {
		t.Title = l.Path
	}
	b := &builder{t: t, lab: l, lanes: map[string]int{}, servers: map[netip.AddrPort]string{}}
	b.layLanes()
	if len(evs) > 0 {
		t.Started = evs[0].Time
		for _, ev := range evs {
			if ev.Source == run.FromLink {
				t.Started = minTime(t.Started, ev.Link.Time.Add(-ev.Link.Delay))
			}
		}
	}
	for _, ev := range evs {
		if ready, ok := ev.Body.(*pb.Ready); ok {
			if ap, err := netip.ParseAddrPort(ready.Address); err == nil {
				b.servers[ap] = ev.Component.Name
			}
		}
	}
	b.fig = figure.NewBuilder(t.Started, b.lane, func(ev run.Event) string {
		return output.Describe(ev.Component.Role, ev.Kind, ev.Body)
	})
	b.figures = map[*lab.Component]figure.Figure{}
	for _, c := range l.Components {
		if newFigure := figs[c.Role.Name]; newFigure != nil {
			b.figures[c] = newFigure(c)
		}
	}
	for _, ev := range evs {
		b.add(ev)
	}
	b.finish(res)
	return t
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func labInfo(l *lab.Lab) LabInfo {
	info := LabInfo{Name: l.Name, Path: l.Path, Seed: l.Seed, SeedOrigin: l.SeedOrigin}
	for _, c := range l.Components {
		ci := ComponentInfo{Name: c.Name, Role: c.Role.Name, Plugin: c.Plugin.String()}
		if c.Config != nil {
			ci.Settings = output.Describe(c.Role, "settings", c.Config)
		}
		if c.Role.Side == roles.Client {
			ci.Link = linkText(l, c)
		}
		info.Components = append(info.Components, ci)
	}
	return info
}

// linkText describes a client's link in the lab file's words.
func linkText(l *lab.Lab, c *lab.Component) string {
	if c.Link.Direct {
		return "direct (no link)"
	}
	dir := func(im link.Impairment) string {
		if im.IsZero() {
			return "clean"
		}
		var parts []string
		add := func(ok bool, format string, args ...any) {
			if ok {
				parts = append(parts, fmt.Sprintf(format, args...))
			}
		}
		add(im.Loss > 0, "loss %g", im.Loss)
		add(im.Duplicate > 0, "duplicate %g", im.Duplicate)
		add(im.Reorder > 0, "reorder %g", im.Reorder)
		add(im.Delay > 0, "delay %s", im.Delay)
		add(im.Jitter > 0, "jitter %s", im.Jitter)
		add(im.Bandwidth > 0, "bandwidth %d B/s", im.Bandwidth)
		add(im.MaxSegment > 0, "max_segment %d", im.MaxSegment)
		add(im.StallFor > 0, "stall %s after %d B", im.StallFor, im.StallAfter)
		add(im.ResetAfter > 0, "reset after %d B", im.ResetAfter)
		return strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%s link; to server: %s; to client: %s", c.Role.Transport, dir(c.Link.ToServer), dir(c.Link.ToClient))
}

type builder struct {
	t     *Trace
	lab   *lab.Lab
	lanes map[string]int // by kind + ":" + component
	// servers are the servers' bound addresses, from their Ready events.
	servers map[netip.AddrPort]string

	// figures draw each component's role events; fig gathers what they
	// add.
	figures map[*lab.Component]figure.Figure
	fig     *figure.Builder
}

func (b *builder) lane(kind, component string) int {
	if i, ok := b.lanes[kind+":"+component]; ok {
		return i
	}
	return -1
}

func (b *builder) layLanes() {
	t := b.t
	addLane := func(kind, name, component string) {
		b.lanes[kind+":"+component] = len(t.Lanes)
		t.Lanes = append(t.Lanes, Lane{Name: name, Kind: kind, Component: component})
	}
	for _, c := range b.lab.Clients() {
		addLane(ClientLane, c.Name, c.Name)
		if !c.Link.Direct {
			addLane(LinkClientSide, "link ("+c.Name+" side)", c.Name)
			addLane(LinkServerSide, "link (server side)", c.Name)
		}
	}
	for _, c := range b.lab.Servers() {
		addLane(ServerLane, c.Name, c.Name)
	}
}

func (b *builder) ms(at time.Time) float64 { return b.fig.Ms(at) }

func millis(d time.Duration) float64 { return figure.Millis(d) }

// serverOf finds the server lane a link's packets go to.
func (b *builder) serverOf(ev *link.Event) int {
	if name, ok := b.servers[ev.Server]; ok {
		return b.lane(ServerLane, name)
	}
	for ap, name := range b.servers {
		if ap.Port() == ev.Server.Port() && (ap.Addr().IsUnspecified() || ev.Server.Addr().IsLoopback()) {
			return b.lane(ServerLane, name)
		}
	}
	if servers := b.lab.Servers(); len(servers) > 0 {
		return b.lane(ServerLane, servers[0].Name)
	}
	return -1
}

func (b *builder) add(ev run.Event) {
	if ev.Source == run.FromLink {
		b.addPacket(ev)
		return
	}
	if f := b.figures[ev.Component]; f != nil && ev.Source == run.FromRole {
		f.Add(b.fig, ev)
	}
}

func (b *builder) addPacket(ev run.Event) {
	l := ev.Link
	client := b.lane(ClientLane, ev.Component.Name)
	server := b.serverOf(l)
	p := Packet{Link: ev.Component.Name, Proto: string(l.Proto), Dir: ToClient, Flow: l.Flow, Seq: l.Seq, Size: l.Size,
		At: b.ms(l.Time.Add(-l.Delay)), Done: b.ms(l.Time), Fate: l.Fate.String(), Drop: -1,
		Lost: !l.Fate.Has(link.Delivered), Odd: l.Fate&(link.Duplicated|link.Reordered) != 0}
	if l.Dir == link.ToServer {
		p.Dir, p.From, p.To = ToServer, client, server
		if p.Lost {
			p.Drop = b.lane(LinkClientSide, ev.Component.Name)
		}
	} else {
		p.From, p.To = server, client
		if p.Lost {
			p.Drop = b.lane(LinkServerSide, ev.Component.Name)
		}
	}
	p.Label, p.Key = describePayload(l)
	b.t.Packets = append(b.t.Packets, p)
}

var messageRE = lazy.Regexp(`^([A-Za-z]+) (\d+)`)

// describePayload labels a packet by what it carried: "Ping 3", a
// request or status line, or its size.
func describePayload(l *link.Event) (label, key string) {
	text := printableText(l.Payload)
	if l.Proto == "tcp" {
		first, _, _ := strings.Cut(text, "\n")
		first = strings.TrimSpace(first)
		if f := strings.Fields(first); l.Seq == 0 && len(f) >= 2 && (strings.HasPrefix(f[0], "HTTP/") || isMethod(f[0])) {
			if isMethod(f[0]) {
				key = f[0] + " " + f[1]
			}
			return clip(first, 40), key
		}
		return fmt.Sprintf("%d bytes at %d", l.Size, l.Seq), ""
	}
	if m := messageRE().FindStringSubmatch(text); m != nil {
		return m[0], strings.ToLower(m[1]) + " " + m[2]
	}
	if text == "" {
		return fmt.Sprintf("%d bytes", l.Size), ""
	}
	return clip(text, 24), ""
}

func isMethod(s string) bool {
	switch s {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "CONNECT":
		return true
	}
	return false
}

// printableText keeps a payload's printable characters; others become
// dots (a submission may send anything).
func printableText(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		switch {
		case r == '\n':
			sb.WriteByte('\n')
		case r == '\r':
		case r == utf8.RuneError || !unicode.IsPrint(r):
			sb.WriteByte('.')
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// finish orders what was gathered by component and adds the summary.
func (b *builder) finish(res *run.Result) {
	t := b.t
	t.Marks = b.fig.Marks
	for _, c := range b.lab.Clients() {
		if s := b.fig.Pings[c.Name]; s != nil {
			t.Pings = append(t.Pings, *s)
		}
		if rows := b.fig.Web[c.Name]; len(rows) > 0 {
			t.Web = append(t.Web, b.waterfall(c.Name, rows)...)
		}
	}
	for _, c := range b.lab.Servers() {
		series := b.fig.Beats[c.Name]
		if len(series) == 0 {
			continue
		}
		hs := HeartbeatSeries{Server: c.Name}
		for _, hc := range series {
			hs.Clients = append(hs.Clients, *hc)
		}
		sort.Slice(hs.Clients, func(i, j int) bool { return hs.Clients[i].Client < hs.Clients[j].Client })
		t.Heartbeats = append(t.Heartbeats, hs)
	}
	end := 0.0
	for _, p := range t.Packets {
		end = max(end, p.Done)
	}
	for _, m := range t.Marks {
		end = max(end, m.At, m.Until)
	}
	for i := range t.Heartbeats {
		for j := range t.Heartbeats[i].Clients {
			for k := range t.Heartbeats[i].Clients[j].Down {
				if d := &t.Heartbeats[i].Clients[j].Down[k]; d.Open {
					d.To = end
				}
			}
		}
	}
	for i := range t.Marks {
		if m := &t.Marks[i]; m.Kind == MarkDown {
			m.Until = end
			for _, u := range t.Marks {
				if u.Kind == MarkUp && u.Lane == m.Lane && u.At >= m.At && strings.TrimSuffix(u.Text, " is UP") == strings.TrimSuffix(m.Text, " is DOWN") {
					m.Until = u.At
					break
				}
			}
		}
	}
	t.Elapsed = end
	if res == nil {
		for _, c := range b.lab.Components {
			t.Summary = append(t.Summary, SummaryRow{Component: c.Name, Role: c.Role.Name, Status: "running", Plugin: c.Plugin.String()})
		}
		return
	}
	t.Finished = true
	t.Elapsed = millis(res.Elapsed)
	for _, c := range res.Components {
		row := SummaryRow{Component: c.Component.Name, Role: c.Component.Role.Name, Status: c.Status().String(), Plugin: c.Component.Plugin.String()}
		if c.Status() == run.Failed {
			row.Status = "FAILED"
		}
		if err := c.Failure(); err != nil {
			row.Error = err.Error()
		}
		if c.Summary != nil {
			row.Summary = output.Describe(c.Component.Role, "summary", c.Summary)
		}
		if c.Link != nil {
			row.Link = c.Link.Line()
		}
		t.Summary = append(t.Summary, row)
	}
	switch {
	case res.Interrupted:
		t.Verdict = "interrupted"
	case !res.OK():
		t.Verdict = "some components failed"
	default:
		t.Verdict = "every component succeeded"
	}
	if res.Err != nil {
		t.Verdict += ": " + res.Err.Error()
	}
}

// waterfall pairs a web client's responses with its link's connections by
// the request line each carried.
func (b *builder) waterfall(client string, rows []WebRow) []WebRow {
	type conn struct {
		key                  string
		request, first, last float64
		seen                 bool
		used                 bool
	}
	conns := map[int]*conn{}
	var order []int
	for _, p := range b.t.Packets {
		if p.Link != client || p.Proto != "tcp" {
			continue
		}
		c := conns[p.Flow]
		if c == nil {
			c = &conn{request: p.At}
			conns[p.Flow] = c
			order = append(order, p.Flow)
		}
		if p.Dir == ToServer && p.Seq == 0 && c.key == "" {
			c.key = p.Key
			c.request = p.At
		}
		if p.Dir == ToClient {
			if !c.seen {
				c.first, c.seen = p.Done, true
			}
			c.last = max(c.last, p.Done)
		}
	}
	sort.Ints(order)
	for i := range rows {
		r := &rows[i]
		r.Request, r.FirstByte, r.LastByte = r.Start, r.End, r.End
		for _, f := range order {
			c := conns[f]
			if c.used || (c.key != "" && !strings.HasSuffix(c.key, " "+r.Path)) {
				continue
			}
			c.used = true
			r.Request = c.request
			if c.seen {
				r.FirstByte, r.LastByte = c.first, c.last
			}
			// The link stamps a segment once it has passed it on, so under
			// load a request can be stamped after its answer's first byte.
			r.Request = max(r.Start, min(r.Request, r.FirstByte))
			break
		}
	}
	return rows
}

// HighlightFrom points out the packets and marks a grade's evidence names:
// a message word and its number ("ping 3: ...", "heartbeats 4 and 5 ...",
// whatever word a lab's messages start with) or a request ("GET /x: ...").
// Only keys some packet or mark of t carries are kept, so the words of the
// evidence that name nothing are left out.
func (t *Trace) HighlightFrom(evidence []string) {
	have := map[string]bool{}
	for _, p := range t.Packets {
		have[p.Key] = true
	}
	for _, m := range t.Marks {
		have[m.Key] = true
	}
	delete(have, "")
	seen := map[string]bool{}
	add := func(k string) {
		if have[k] && !seen[k] {
			seen[k] = true
			t.Highlight = append(t.Highlight, k)
		}
	}
	for _, e := range evidence {
		for _, m := range evidenceRE().FindAllStringSubmatch(e, -1) {
			switch {
			case m[1] != "":
				// "heartbeats 4 and 5" names heartbeat 4 and heartbeat 5.
				word := strings.ToLower(m[1])
				for _, w := range []string{word, strings.TrimSuffix(word, "s")} {
					add(w + " " + m[2])
					if m[3] != "" {
						add(w + " " + m[3])
					}
				}
			case isMethod(m[4]):
				add(m[4] + " " + m[5])
			}
		}
	}
}

var evidenceRE = lazy.Regexp(`\b([A-Za-z]+)\s+(\d+)(?:\s+and\s+(\d+))?|\b([A-Z]+) (/\S*?):`)

// MarkUnderTest names the lanes of the component a grade is about.
func (t *Trace) MarkUnderTest(component string) {
	for i := range t.Lanes {
		if l := &t.Lanes[i]; l.Component == component && (l.Kind == ClientLane || l.Kind == ServerLane) {
			l.Name += " (graded)"
		}
	}
}
