package main

// Integration tests of the UDP Heartbeat labs in examples/: the real host,
// the reference and student plugins as subprocesses, loopback sockets.
// They assert exactly which events the servers report; timing is checked
// only against the servers' own event stamps, with slack.

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/output"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

const (
	// The heartbeat labs' settings (examples/heartbeat*.hcl).
	labDeadAfter = time.Second
	labWindow    = 300 * time.Millisecond
	// sheetSlack is the lab sheet's own patience, one second: a server's
	// Down may come that much after dead_after has run out since the
	// client's last heartbeat was sent (delivery, scheduling).
	sheetSlack = time.Second
)

// timed is an event of a run, with the time its plugin stamped on it.
type timed[M any] struct {
	at  time.Time
	msg M
}

// eventsOf decodes the JSON events of one component and kind.
func eventsOf[E any, M interface {
	*E
	proto.Message
}](t *testing.T, r hostRun, component, kind string) []timed[M] {
	t.Helper()
	var out []timed[M]
	for _, l := range r.events(component, kind) {
		raw, err := json.Marshal(l["event"])
		if err != nil {
			t.Fatal(err)
		}
		m := M(new(E))
		if err := output.DecodeJSON(raw, m); err != nil {
			t.Fatalf("%s %s event %s: %v", component, kind, raw, err)
		}
		at, err := time.Parse(time.RFC3339Nano, l["time"].(string))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, timed[M]{at, m})
	}
	return out
}

// summaryOf decodes a component's summary from the final result line.
func summaryOf[E any, M interface {
	*E
	proto.Message
}](t *testing.T, r hostRun, component string) M {
	t.Helper()
	raw, err := json.Marshal(r.result(t, component)["summary"])
	if err != nil {
		t.Fatal(err)
	}
	m := M(new(E))
	if err := output.DecodeJSON(raw, m); err != nil {
		t.Fatalf("%s summary %s: %v", component, raw, err)
	}
	return m
}

// runs writes seqs as runs of consecutive numbers: 1-3,7,9-10.
func runs(seqs []uint64) string {
	var parts []string
	for i := 0; i < len(seqs); {
		j := i
		for j+1 < len(seqs) && seqs[j+1] == seqs[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.FormatUint(seqs[i], 10))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", seqs[i], seqs[j]))
		}
		i = j + 1
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// serverReport describes, client by client, what a heartbeat server
// reported: the seqs of its Heartbeat events in arrival order, its Lost
// runs, its Down and Up events and its totals, then any event of another
// kind. Nothing in it depends on timing.
func serverReport(t *testing.T, r hostRun, server string) []string {
	t.Helper()
	heard := map[string][]uint64{}
	lost := map[string][]string{}
	live := map[string][]string{}
	var other []string
	for _, l := range r.lines {
		if l["component"] != server {
			continue
		}
		raw, _ := json.Marshal(l["event"])
		switch l["kind"] {
		case "heartbeat":
			var h pb.Heartbeat
			output.DecodeJSON(raw, &h)
			heard[h.GetClient()] = append(heard[h.GetClient()], h.GetSeq())
		case "lost":
			var g pb.HeartbeatLost
			output.DecodeJSON(raw, &g)
			lost[g.GetClient()] = append(lost[g.GetClient()], runs(seqRange(g.GetFirstSeq(), g.GetLastSeq())))
		case "down":
			var d pb.ClientDown
			output.DecodeJSON(raw, &d)
			live[d.GetClient()] = append(live[d.GetClient()], fmt.Sprintf("down after %d", d.GetLastSeq()))
		case "up":
			var u pb.ClientUp
			output.DecodeJSON(raw, &u)
			live[u.GetClient()] = append(live[u.GetClient()], fmt.Sprintf("up at %d", u.GetSeq()))
		case "ready", "log", "summary", "stdout", "stderr", "plugin-log":
		default:
			other = append(other, fmt.Sprintf("%v %s", l["kind"], raw))
		}
	}
	orNone := func(s []string, none string) string {
		if len(s) == 0 {
			return none
		}
		return strings.Join(s, ", ")
	}
	var report []string
	for _, c := range summaryOf[pb.HeartbeatServerSummary](t, r, server).GetClients() {
		n := c.GetClient()
		report = append(report,
			n+": heartbeats "+runs(heard[n]),
			n+": lost "+orNone(lost[n], "none"),
			n+": "+orNone(live[n], "never down"),
			fmt.Sprintf("%s: received %d, lost %d (%.1f%%), late %d, duplicates %d, reordered %d, restarts %d, down at the end %v",
				n, c.GetReceived(), c.GetLost(), c.GetLossPercent(), c.GetLate(), c.GetDuplicates(), c.GetReordered(), c.GetRestarts(), c.GetDown()))
	}
	return append(report, other...)
}

func seqRange(first, last uint64) []uint64 {
	var s []uint64
	for q := first; q <= last; q++ {
		s = append(s, q)
	}
	return s
}

// clientReport describes a heartbeat client's events in order: runs of
// Sent seqs, Paused, Resumed and the Summary.
func clientReport(t *testing.T, r hostRun, client string) []string {
	t.Helper()
	var report []string
	var sent []uint64
	flush := func() {
		if len(sent) > 0 {
			report = append(report, "sent "+runs(sent))
			sent = nil
		}
	}
	for _, l := range r.lines {
		if l["component"] != client {
			continue
		}
		raw, _ := json.Marshal(l["event"])
		switch l["kind"] {
		case "sent":
			var s pb.HeartbeatSent
			output.DecodeJSON(raw, &s)
			sent = append(sent, s.GetSeq())
		case "paused":
			flush()
			report = append(report, "paused")
		case "resumed":
			flush()
			var s pb.HeartbeatResumed
			output.DecodeJSON(raw, &s)
			report = append(report, fmt.Sprintf("resumed at %d", s.GetNextSeq()))
		case "summary":
			flush()
			var s pb.HeartbeatClientSummary
			output.DecodeJSON(raw, &s)
			report = append(report, fmt.Sprintf("summary: %d sent", s.GetSent()))
		}
	}
	flush()
	return report
}

// sentAt is when the client says it sent seq (zero if it did not).
func sentAt(t *testing.T, r hostRun, client string, seq uint64) time.Time {
	t.Helper()
	for _, s := range eventsOf[pb.HeartbeatSent](t, r, client, "sent") {
		if s.msg.GetSeq() == seq {
			return s.msg.GetSentAt().AsTime()
		}
	}
	t.Fatalf("%s never sent seq %d", client, seq)
	return time.Time{}
}

// checkLiveness checks the timing of a server's Down and Up events against
// its own stamps: a Down is stamped dead_after after the client's last
// heartbeat arrived, within dead_after plus the sheet's slack of when the
// client sent it; an Up ends a silence of at least dead_after; time down
// adds up. Each client's id is its component's name.
func checkLiveness(t *testing.T, r hostRun, server string) {
	t.Helper()
	downAt := map[string]time.Time{}
	for _, d := range eventsOf[pb.ClientDown](t, r, server, "down") {
		c := d.msg.GetClient()
		if got := d.at.Sub(d.msg.GetLastSeen().AsTime()); got != labDeadAfter {
			t.Errorf("%s: Down of %s stamped %v after its last heartbeat arrived, want dead_after %v", server, c, got, labDeadAfter)
		}
		since := d.at.Sub(sentAt(t, r, c, d.msg.GetLastSeq()))
		if since < labDeadAfter || since > labDeadAfter+sheetSlack {
			t.Errorf("%s: Down of %s %v after seq %d was sent, want within [%v, %v]", server, c, since, d.msg.GetLastSeq(), labDeadAfter, labDeadAfter+sheetSlack)
		}
		downAt[c] = d.at
	}
	silent := map[string]time.Duration{}
	for _, u := range eventsOf[pb.ClientUp](t, r, server, "up") {
		c := u.msg.GetClient()
		silent[c] = u.msg.GetSilentFor().AsDuration()
		if silent[c] < labDeadAfter {
			t.Errorf("%s: Up of %s after %v of silence, less than dead_after", server, c, silent[c])
		}
		if !u.at.After(downAt[c]) {
			t.Errorf("%s: Up of %s at %v, not after its Down at %v", server, c, u.at, downAt[c])
		}
	}
	sum := eventsOf[pb.HeartbeatServerSummary](t, r, server, "summary")
	if len(sum) != 1 {
		t.Fatalf("%s: %d summaries", server, len(sum))
	}
	for _, c := range sum[0].msg.GetClients() {
		down := c.GetTimeDown().AsDuration()
		switch n := c.GetClient(); {
		case c.GetDown():
			if down <= 0 || down > sum[0].at.Sub(downAt[n]) {
				t.Errorf("%s: %s down for %v at the end, went down at %v, summary at %v", server, n, down, downAt[n], sum[0].at)
			}
		case silent[n] > 0:
			if want := silent[n] - labDeadAfter; down != want {
				t.Errorf("%s: %s down for %v, want its silence less dead_after, %v", server, n, down, want)
			}
		case down != 0:
			t.Errorf("%s: %s down for %v, never went down", server, n, down)
		}
	}
}

// runExample runs a lab file of examples/ with --json --var port=0.
func runExample(t *testing.T, lab string) hostRun {
	t.Helper()
	r := startHostIn(t, "", nil, "run", "--json", "--var", "port=0", filepath.Join(repoRoot(t), "examples", lab)).wait(t)
	if r.exit != 0 {
		t.Fatalf("%s: exit %d\n%s\n%s", lab, r.exit, r.stdout, r.stderr)
	}
	return r
}

func checkReport(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestHeartbeatLabs runs the example heartbeat labs. The reference server
// and the student's report the same events for the same clients: the
// client that stops goes down after its last seq, the one that pauses goes
// down and comes back up at the next seq.
func TestHeartbeatLabs(t *testing.T) {
	stopperAndPauser := []string{
		"pauser: heartbeats 1-20",
		"pauser: lost none",
		"pauser: down after 10, up at 11",
		"pauser: received 20, lost 0 (0.0%), late 0, duplicates 0, reordered 0, restarts 0, down at the end false",
		"stopper: heartbeats 1-10",
		"stopper: lost none",
		"stopper: down after 10",
		"stopper: received 10, lost 0 (0.0%), late 0, duplicates 0, reordered 0, restarts 0, down at the end true",
	}
	stopper := []string{"sent 1-10", "summary: 10 sent"}
	pauser := []string{"sent 1-10", "paused", "resumed at 11", "sent 11-20", "summary: 20 sent"}
	tests := []struct {
		lab     string
		server  string
		want    []string
		clients map[string][]string // component (and client id): its events
	}{
		{"heartbeat.hcl", "server", stopperAndPauser, map[string][]string{"stopper": stopper, "pauser": pauser}},
		{"heartbeat-student-server.hcl", "student", stopperAndPauser, map[string][]string{"stopper": stopper, "pauser": pauser}},
		{"heartbeat-student-client.hcl", "reference", []string{
			"student: heartbeats 1-3,7-20",
			"student: lost 4-6",
			"student: down after 10, up at 11",
			"student: received 17, lost 3 (15.0%), late 0, duplicates 0, reordered 0, restarts 0, down at the end false",
		}, map[string][]string{"student": {"sent 1-3,7-10", "paused", "resumed at 11", "sent 11-20", "summary: 17 sent"}}},
	}
	for _, tt := range tests {
		t.Run(tt.lab, func(t *testing.T) {
			r := runExample(t, tt.lab)
			checkReport(t, tt.server, serverReport(t, r, tt.server), tt.want)
			for c, want := range tt.clients {
				checkReport(t, c, clientReport(t, r, c), want)
			}
			checkLiveness(t, r, tt.server)
			checkLostStamps(t, r, tt.server, labWindow)
		})
	}
}

// checkLostStamps checks that each Lost event is stamped when the reorder
// window ended: window after the seq that showed the gap arrived (its send
// time plus its delay, the server's receive time). Only for runs where no
// gap is still pending at the stop.
func checkLostStamps(t *testing.T, r hostRun, server string, window time.Duration) {
	t.Helper()
	beats := eventsOf[pb.Heartbeat](t, r, server, "heartbeat")
	for _, l := range eventsOf[pb.HeartbeatLost](t, r, server, "lost") {
		i := slices.IndexFunc(beats, func(h timed[*pb.Heartbeat]) bool {
			return h.msg.GetClient() == l.msg.GetClient() && h.msg.GetSeq() == l.msg.GetLastSeq()+1
		})
		if i < 0 {
			t.Errorf("%s: lost %d-%d, but seq %d never arrived", server, l.msg.GetFirstSeq(), l.msg.GetLastSeq(), l.msg.GetLastSeq()+1)
			continue
		}
		h := beats[i].msg
		if arrived := h.GetSentAt().AsTime().Add(h.GetDelay().AsDuration()); l.at.Sub(arrived) != window {
			t.Errorf("%s: lost %d-%d stamped %v after seq %d arrived, want the reorder window %v",
				server, l.msg.GetFirstSeq(), l.msg.GetLastSeq(), l.at.Sub(arrived), h.GetSeq(), window)
		}
	}
}

// heartbeatPlugin is a plugin block naming a Go package of this
// repository, with an environment.
func heartbeatPlugin(t *testing.T, dir, env string) string {
	return fmt.Sprintf("plugin {\n    go  = %q\n    env = { %s }\n  }", filepath.Join(repoRoot(t), dir), env)
}

// TestHeartbeatGapsAreLostExactly: the student client leaves out chosen
// seqs, and both servers report exactly those as lost, each run when the
// reorder window has passed. A seq left out before the first one heard is
// not lost (accounting starts at the first seq heard), nor is one left out
// at the very end (nothing after it shows the gap).
func TestHeartbeatGapsAreLostExactly(t *testing.T) {
	const lab = `
heartbeat_server "server" {
  listen         = "127.0.0.1:0"
  dead_after     = "1m"
  reorder_window = "200ms"
  %s
}

heartbeat_client "gappy" {
  server    = heartbeat_server.server.address
  client_id = "gappy"
  interval  = "50ms"
  count     = 20 # seqs 14-19 outlast the last gap's window
  %s
}
`
	client := heartbeatPlugin(t, "examples/heartbeat-client", `SKIP = "1,4,5,9,11,12,20"`)
	want := []string{
		"gappy: heartbeats 2-3,6-8,10,13-19",
		"gappy: lost 4-5, 9, 11-12",
		"gappy: never down",
		"gappy: received 13, lost 5 (27.8%), late 0, duplicates 0, reordered 0, restarts 0, down at the end false",
	}
	for _, server := range []struct{ name, plugin string }{
		{"reference", ""},
		{"student", heartbeatPlugin(t, "examples/heartbeat-server", "")},
	} {
		t.Run(server.name, func(t *testing.T) {
			r := runHost(t, fmt.Sprintf(lab, server.plugin, client))
			if r.exit != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
			checkReport(t, "server", serverReport(t, r, "server"), want)
			checkReport(t, "client", clientReport(t, r, "gappy"), []string{"sent 2-3,6-8,10,13-19", "summary: 13 sent"})
			checkLostStamps(t, r, "server", 200*time.Millisecond)
			// Each seq left out is printed. The line for the last one may
			// be lost: go-plugin relays stdout asynchronously and the host
			// ends the plugin as soon as Run returns.
			printed := map[string]bool{}
			for _, l := range r.events("gappy", "stdout") {
				printed[l["message"].(string)] = true
			}
			for _, seq := range []int{1, 4, 5, 9, 11, 12, 20} {
				line := fmt.Sprintf("leaving out heartbeat %d (SKIP)", seq)
				if !printed[line] && seq != 20 {
					t.Errorf("client did not print %q; it printed %v", line, printed)
				}
				delete(printed, line)
			}
			if len(printed) > 0 {
				t.Errorf("client printed more: %v", printed)
			}
		})
	}
}

// TestHeartbeatStudentPluginsStopWhenTold: a student client with no limit
// runs into the lab's timeout; the host stops it and the student server,
// and both end with their summary instead of being killed.
func TestHeartbeatStudentPluginsStopWhenTold(t *testing.T) {
	r := runHost(t, fmt.Sprintf(`
lab {
  timeout = "1s"
}

heartbeat_server "server" {
  listen = "127.0.0.1:0"
  %s
}

heartbeat_client "endless" {
  server   = heartbeat_server.server.address
  interval = "20ms"
  count    = 0
  %s
}
`, heartbeatPlugin(t, "examples/heartbeat-server", ""), heartbeatPlugin(t, "examples/heartbeat-client", "")))
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1 for the client that ran out of time\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	res := r.result(t, "endless")
	if err, _ := res["error"].(string); !strings.Contains(err, "did not finish within 1s") {
		t.Errorf("client result %v, want the lab's timeout as its only failure", res)
	}
	if res := r.result(t, "server"); res["ok"] != true {
		t.Errorf("server result %v, want a clean stop", res)
	}
	var seqs []uint64
	for _, s := range eventsOf[pb.HeartbeatSent](t, r, "endless", "sent") {
		seqs = append(seqs, s.msg.GetSeq())
	}
	sent := summaryOf[pb.HeartbeatClientSummary](t, r, "endless").GetSent()
	if len(seqs) == 0 || runs(seqs) != fmt.Sprintf("1-%d", len(seqs)) || sent != uint64(len(seqs)) {
		t.Fatalf("client sent %s, its summary says %d", runs(seqs), sent)
	}
	// The server was stopped at the same time as the client: it may miss
	// the very last heartbeat, nothing else, and reports none lost.
	totals := summaryOf[pb.HeartbeatServerSummary](t, r, "server").GetClients()
	if len(totals) != 1 || totals[0].GetReceived() > sent || totals[0].GetReceived()+1 < sent || totals[0].GetLost() != 0 {
		t.Errorf("server totals %v, client sent %d", totals, sent)
	}
}
