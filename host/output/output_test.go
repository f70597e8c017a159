package output

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/run"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func TestSequencerReleasesInEventOrder(t *testing.T) {
	var mu sync.Mutex
	var got []int
	seq := NewSequencer(20*time.Millisecond, func(ev run.Event) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, int(ev.Body.(*pb.PingTimeout).Seq))
	})
	base := time.Now()
	// Arrival order differs from the order things happened.
	for _, n := range []int{3, 1, 2, 5, 4} {
		seq.Add(run.Event{Time: base.Add(time.Duration(n) * time.Millisecond), Body: &pb.PingTimeout{Seq: uint32(n)}})
	}
	seq.Close()
	if len(got) != 5 || got[0] != 1 || got[4] != 5 {
		t.Fatalf("released %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] < got[i-1] {
			t.Fatalf("released %v", got)
		}
	}
}

func TestObserverJSON(t *testing.T) {
	var b strings.Builder
	log := NewLogger(&b, JSON, false, zerolog.InfoLevel)
	role := labs.PingClient().Role
	c := &lab.Component{Name: "student", Role: role}
	Observer(log, JSON)(run.Event{Component: c, Time: time.Unix(5, 0), Kind: "timeout", Body: &pb.PingTimeout{Seq: 2}, Raw: &pb.PingClientEvent{}})
	for _, want := range []string{`"component":"student"`, `"kind":"timeout"`, `"event":{"seq":2}`, `"message":"ping 2: Request timed out"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s lacks %s", b.String(), want)
		}
	}
}

// TestSequencerWriterTakesItsTurn: a host log line written after an event
// that happened before it comes out after that event, though the event
// reached the Sequencer later; once closed, the writer writes at once.
func TestSequencerWriterTakesItsTurn(t *testing.T) {
	var mu sync.Mutex
	var out []string
	sink := writerFunc(func(p []byte) {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, string(p))
	})
	seq := NewSequencer(time.Hour, func(ev run.Event) { sink.Write([]byte(ev.Kind)) })
	line := seq.Writer(sink)
	early := time.Now()
	fmt.Fprint(line, "host: the plugin failed")
	seq.Add(run.Event{Time: early, Kind: "stderr: Traceback"})
	seq.Close()
	fmt.Fprint(line, "report")
	want := []string{"stderr: Traceback", "host: the plugin failed", "report"}
	if !slices.Equal(out, want) {
		t.Fatalf("written %q, want %q", out, want)
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// TestSequencerBoundsEachComponent: a component that floods has at most
// MaxPendingEvents waiting; the rest is dropped, counted in one line once
// its backlog is out, and another component's events and a Summary are
// not dropped with them.
func TestSequencerBoundsEachComponent(t *testing.T) {
	role := labs.PingClient().Role
	flood, quiet := &lab.Component{Name: "flood", Role: role}, &lab.Component{Name: "quiet", Role: role}
	var got []run.Event
	seq := NewSequencer(time.Hour, func(ev run.Event) { got = append(got, ev) })
	at := time.Now()
	for i := range MaxPendingEvents + 500 {
		seq.Add(run.Event{Component: flood, Time: at.Add(time.Duration(i)), Source: run.FromOutput, Kind: "stdout", Body: &pb.Log{Message: "x"}})
	}
	seq.Add(run.Event{Component: flood, Time: at.Add(time.Hour), Kind: "summary", Body: &pb.PingClientSummary{}, Raw: &pb.PingClientEvent{}})
	seq.Add(run.Event{Component: quiet, Time: at, Source: run.FromOutput, Kind: "stdout", Body: &pb.Log{Message: "still here"}})
	seq.Close()
	kinds := map[string]int{}
	var note string
	for _, ev := range got {
		kinds[ev.Component.Name+" "+ev.Kind]++
		if ev.Kind == Suppressed {
			note = ev.Body.(*pb.Log).GetMessage()
		}
	}
	if kinds["flood stdout"] != MaxPendingEvents || kinds["flood summary"] != 1 || kinds["quiet stdout"] != 1 || kinds["flood suppressed"] != 1 {
		t.Fatalf("released %v", kinds)
	}
	if !strings.HasPrefix(note, "500 events and lines suppressed") {
		t.Errorf("note %q", note)
	}
	// Each MiB of lines counts: a few large ones fill the backlog too.
	got = nil
	seq = NewSequencer(time.Hour, func(ev run.Event) { got = append(got, ev) })
	big := strings.Repeat("y", 1<<20)
	for range 10 {
		seq.Add(run.Event{Component: flood, Time: at, Source: run.FromOutput, Kind: "stdout", Body: &pb.Log{Message: big}})
	}
	seq.Close()
	if len(got) != 3+1 { // three lines of 1 MiB and a bit fit in 4 MiB, then the note
		t.Errorf("released %d events of 1 MiB", len(got))
	}
}
