package page

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// The test binary is its own builtin plugin: with this set it serves the
// reference roles, so the pages are of real runs with real plugins.
const beThePlugin = "PAGE_TEST_BE_THE_PLUGIN"

func TestMain(m *testing.M) {
	if os.Getenv(beThePlugin) != "" {
		sdk.Serve(labs.Builtin().Plugins())
		return
	}
	os.Exit(m.Run())
}

func loadLab(t *testing.T, src string, files map[string]string) *lab.Lab {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "lab.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	seed := int64(11)
	l, diags := lab.Load(path, lab.Options{Seed: &seed, Roles: labs.Builtin().Roles()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, c := range l.Components {
		c.Plugin.Env = append(c.Plugin.Env, beThePlugin+"=1")
	}
	return l
}

// events is every event of a run, as the page's Recorder got them.
type events struct {
	mu  sync.Mutex
	all []run.Event
}

func runLab(t *testing.T, l *lab.Lab) (*Recorder, *run.Result, []run.Event) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(l, labs.Builtin().Figures())
	var evs events
	res := run.Run(context.Background(), l, run.Options{
		Builtin: []string{self},
		Builder: &launch.Builder{Dir: t.TempDir()},
		Log:     zerolog.Nop(),
		Observe: func(ev run.Event) {
			rec.Observe(ev)
			evs.mu.Lock()
			evs.all = append(evs.all, ev)
			evs.mu.Unlock()
		},
	})
	if !res.OK() {
		t.Fatalf("the run failed: %+v", res)
	}
	return rec, res, evs.all
}

const pingLab = `
lab { name = "lossy pinger" }
ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0
}
ping_client "client" {
  server   = ping_server.server.address
  count    = 30
  timeout  = "150ms"
  interval = "5ms"
  link {
    to_server { loss = 0.2 }
    to_client { loss = 0.2 }
  }
}
`

// TestPingPageData: every datagram on the wire is an arrow between the
// right lifelines, each drop ends on the link's side it came in, every
// reply is an RTT point and every timeout a window.
func TestPingPageData(t *testing.T) {
	l := loadLab(t, pingLab, nil)
	rec, res, evs := runLab(t, l)
	tr := rec.Trace(res)

	lane := func(kind string) int {
		for i, ln := range tr.Lanes {
			if ln.Kind == kind {
				return i
			}
		}
		t.Fatalf("no %s lane in %+v", kind, tr.Lanes)
		return -1
	}
	client, front, back, server := lane(ClientLane), lane(LinkClientSide), lane(LinkServerSide), lane(ServerLane)
	if !(client < front && front < back && back < server) {
		t.Errorf("lanes out of order: %+v", tr.Lanes)
	}
	var wire []*link.Event
	replies, timeouts := map[uint32]float64{}, map[uint32]bool{}
	for _, ev := range evs {
		switch b := ev.Body.(type) {
		case *pb.PingReply:
			replies[b.Seq] = float64(b.Rtt.AsDuration()) / 1e6
		case *pb.PingTimeout:
			timeouts[b.Seq] = true
		}
		if ev.Link != nil {
			wire = append(wire, ev.Link)
		}
	}
	if len(tr.Packets) != len(wire) || len(wire) < 30 {
		t.Fatalf("%d arrows for %d datagrams on the wire", len(tr.Packets), len(wire))
	}
	drops := map[string]int{}
	delivered := map[string]bool{}
	for _, p := range tr.Packets {
		from, to, drop := client, server, front
		if p.Dir == ToClient {
			from, to, drop = server, client, back
		}
		if p.From != from || p.To != to {
			t.Errorf("%s %s goes from lane %d to %d, want %d to %d", p.Label, p.Dir, p.From, p.To, from, to)
		}
		if p.Lost {
			drops[p.Dir]++
			if p.Drop != drop {
				t.Errorf("%s %s dropped at lane %d, want %d (the link's side it came in)", p.Label, p.Dir, p.Drop, drop)
			}
		} else if p.Drop != -1 {
			t.Errorf("%s delivered but marked dropped at %d", p.Label, p.Drop)
		}
		if !p.Lost && p.Dir == ToClient {
			delivered[p.Key] = true
		}
		if !regexp.MustCompile(`^(Ping|PING) \d+$`).MatchString(p.Label) {
			t.Errorf("label %q", p.Label)
		}
	}
	sum := res.Components[1].Link
	if uint64(drops[ToServer]) != sum.ToServer.Dropped || uint64(drops[ToClient]) != sum.ToClient.Dropped || drops[ToServer] == 0 || drops[ToClient] == 0 {
		t.Errorf("drops %v, the link's summary %+v (seed 11 drops both ways)", drops, sum)
	}

	if len(tr.Pings) != 1 {
		t.Fatalf("%d ping series", len(tr.Pings))
	}
	ps := tr.Pings[0]
	got := 0
	for _, p := range ps.Points {
		switch p.Status {
		case Replied:
			got++
			if want, ok := replies[p.Seq]; !ok || want != p.RTT {
				t.Errorf("ping %d: RTT point %v, its reply said %v (%v)", p.Seq, p.RTT, want, ok)
			}
			if !delivered[fmt.Sprintf("ping %d", p.Seq)] {
				t.Errorf("ping %d has an RTT but no reply crossed the link", p.Seq)
			}
		case TimedOut:
			if !timeouts[p.Seq] {
				t.Errorf("ping %d drawn as a timeout the client never reported", p.Seq)
			}
		}
	}
	if got != len(replies) || uint32(got) != ps.Received || !ps.HasStats {
		t.Errorf("%d RTT points, %d replies, the summary says %d", got, len(replies), ps.Received)
	}
	if n := countMarks(tr, MarkTimeout); n != len(timeouts) || n == 0 {
		t.Errorf("%d timeout windows for %d timeouts", n, len(timeouts))
	}
	for _, m := range tr.Marks {
		if m.Kind == MarkTimeout && (m.Lane != client || m.Until-m.At < 140 || m.Until-m.At > 1000) {
			t.Errorf("timeout window %+v: want on the client's lane, about 150ms long", m)
		}
	}

	var b bytes.Buffer
	if err := Write(&b, tr); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if n := strings.Count(html, `<g class="arrow `); n != len(wire) {
		t.Errorf("%d arrows drawn for %d datagrams", n, len(wire))
	}
	if n := strings.Count(html, `class="cross"`); n != drops[ToServer]+drops[ToClient] {
		t.Errorf("%d crosses for %d drops", n, drops[ToServer]+drops[ToClient])
	}
	selfContained(t, html)
}

// selfContained: the page fetches nothing and allows nothing else.
func selfContained(t *testing.T, html string) {
	t.Helper()
	for _, bad := range []string{"<link", " src=", "@import", "url(http", "//cdn", "<iframe"} {
		if strings.Contains(html, bad) {
			t.Errorf("the page has %q: it would fetch", bad)
		}
	}
	if !strings.Contains(html, `http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;`) &&
		!strings.Contains(html, `http-equiv="Content-Security-Policy" content="default-src 'none'`) {
		t.Errorf("no Content-Security-Policy denying by default")
	}
}

const webLab = `
web_server "server" {
  listen = "127.0.0.1:0"
  root   = "www"
}
web_client "client" {
  server = web_server.server.address
  paths  = ["/index.html", "/missing.html"]
}
`

// TestWebWaterfall: one bar per request, its phases in order, its status
// as the client saw it.
func TestWebWaterfall(t *testing.T) {
	l := loadLab(t, webLab, map[string]string{"www/index.html": strings.Repeat("<p>hello</p>\n", 200)})
	rec, res, _ := runLab(t, l)
	tr := rec.Trace(res)
	if len(tr.Web) != 2 {
		t.Fatalf("%d waterfall rows: %+v", len(tr.Web), tr.Web)
	}
	want := map[string]uint32{"/index.html": 200, "/missing.html": 404}
	for _, r := range tr.Web {
		if want[r.Path] != r.Status {
			t.Errorf("%s: status %d, want %d", r.Path, r.Status, want[r.Path])
		}
		if !(r.Start <= r.Request && r.Request <= r.FirstByte && r.FirstByte <= r.LastByte && r.LastByte <= r.End+1) {
			t.Errorf("%s: phases out of order: start %v request %v first %v last %v end %v", r.Path, r.Start, r.Request, r.FirstByte, r.LastByte, r.End)
		}
	}
	keys := map[string]bool{}
	for _, p := range tr.Packets {
		keys[p.Key] = true
	}
	if !keys["GET /index.html"] || !keys["GET /missing.html"] {
		t.Errorf("request lines not recognised on the wire: %v", keys)
	}
}

const heartbeatLab = `
heartbeat_server "server" {
  listen     = "127.0.0.1:0"
  dead_after = "300ms"
}
heartbeat_client "pauser" {
  server      = heartbeat_server.server.address
  client_id   = "pauser"
  interval    = "50ms"
  count       = 0
  pause_after = "300ms"
  pause_for   = "600ms"
  duration    = "1300ms"
  link {
    to_server { loss = 0.15 }
  }
}
`

// TestHeartbeatTimeline: heartbeats heard, seqs the link dropped among
// those reported lost, and the DOWN interval the pause caused.
func TestHeartbeatTimeline(t *testing.T) {
	l := loadLab(t, heartbeatLab, nil)
	rec, res, _ := runLab(t, l)
	tr := rec.Trace(res)
	if len(tr.Heartbeats) != 1 || len(tr.Heartbeats[0].Clients) != 1 {
		t.Fatalf("heartbeat series %+v", tr.Heartbeats)
	}
	hc := tr.Heartbeats[0].Clients[0]
	if hc.Client != "pauser" || len(hc.Beats) < 10 {
		t.Errorf("client %q with %d beats", hc.Client, len(hc.Beats))
	}
	if len(hc.Down) != 1 || hc.Down[0].Open || hc.Down[0].To-hc.Down[0].From < 200 {
		t.Errorf("DOWN intervals %+v, want one closed of about 300ms", hc.Down)
	}
	lost := map[uint64]bool{}
	for _, r := range hc.Lost {
		for s := r.First; s <= r.Last; s++ {
			lost[s] = true
		}
	}
	for _, p := range tr.Packets {
		var seq uint64
		if _, err := fmt.Sscanf(p.Key, "heartbeat %d", &seq); err != nil {
			t.Errorf("packet %q is no heartbeat", p.Label)
			continue
		}
		if p.Lost && p.Dir == ToServer && !lost[seq] && seq < hc.Beats[len(hc.Beats)-1].Seq {
			t.Errorf("the link dropped heartbeat %d, but the timeline has it not lost (%v)", seq, hc.Lost)
		}
	}
}

// TestHighlightFrom: the packets and marks a grade's evidence names, in
// any lab's message words; words that name nothing of the run are left out.
func TestHighlightFrom(t *testing.T) {
	run := func() *Trace {
		return &Trace{
			Packets: []Packet{{Key: "ping 3"}, {Key: "heartbeat 4"}, {Key: "heartbeat 5"}, {Key: "heartbeat 7"},
				{Key: "GET /a.html"}, {Key: "GET /missing.html"}, {Key: "time 2"}, {}},
			Marks: []Mark{{Key: "ping 9"}},
		}
	}
	for _, c := range []struct {
		evidence []string
		want     string
	}{
		{[]string{"ping 3: the link dropped it; the client reported a reply instead of Request timed out"}, "ping 3"},
		{[]string{"Ping 9: Request timed out, but the server's reply got through"}, "ping 9"},
		{[]string{"heartbeats 4 and 5 went out 1s apart; the interval is 100ms"}, "heartbeat 4,heartbeat 5"},
		{[]string{"heartbeat 7: the link dropped it; the server never reported it lost"}, "heartbeat 7"},
		{[]string{"GET /missing.html (no such file): got 200 OK, want 404 Not Found", "GET /a.html: no Content-Length header"}, "GET /a.html"},
		{[]string{"time 2: the reply is not a date"}, "time 2"},
		{[]string{"ping 4: no such ping in this run", "POST /a.html: not sent", "FOO /a.html: not a method"}, ""},
		{[]string{"the statistics lack the min RTT"}, ""},
	} {
		tr := run()
		tr.HighlightFrom(c.evidence)
		if got := strings.Join(tr.Highlight, ","); got != c.want {
			t.Errorf("%q: %q, want %q", c.evidence, got, c.want)
		}
	}
}
