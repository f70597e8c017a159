// Package output shows a run to people and to programs: a live line per
// event under its component's name (zerolog's console writer), or JSON
// lines with the whole event for machines, and the final report.
package output

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/host/text"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Format is how output is written.
type Format int

const (
	// Console is for a person at a terminal.
	Console Format = iota
	// JSON is one JSON object per line, for programs.
	JSON
)

// NewLogger returns the host's logger writing to w. Its entries carry no
// time; add one with Stamped, or the event's own as Observer does.
func NewLogger(w io.Writer, f Format, color bool, level zerolog.Level) zerolog.Logger {
	if f == JSON {
		return zerolog.New(w).Level(level)
	}
	cw := zerolog.ConsoleWriter{
		Out:        w,
		NoColor:    !color,
		TimeFormat: "15:04:05.000",
		PartsOrder: []string{zerolog.TimestampFieldName, zerolog.LevelFieldName, "component", zerolog.MessageFieldName},
		// The run header says lab and seed in its words; JSON keeps them as fields.
		FieldsExclude: []string{"component", "role", "kind", "event", "stream", "lab", "seed"},
		FormatPartValueByName: func(v any, name string) string {
			if name == "component" {
				if v == nil {
					return fmt.Sprintf("%-12s", "socklab")
				}
				return fmt.Sprintf("%-12s", v)
			}
			return fmt.Sprint(v)
		},
	}
	return zerolog.New(cw).Level(level)
}

// Stamped returns log with the time of writing on each entry.
func Stamped(log zerolog.Logger) zerolog.Logger { return log.With().Timestamp().Logger() }

// Observer returns a function that logs each event, stamped with the
// time it happened; feed it through a Sequencer.
func Observer(log zerolog.Logger, f Format) func(run.Event) {
	tell := &tellers{}
	return func(ev run.Event) {
		if ev.Source == run.FromLink {
			logLink(log, f, ev)
			return
		}
		if f == Console && tell.tell(log, ev) {
			return
		}
		level := zerolog.InfoLevel
		if l, ok := ev.Body.(*pb.Log); ok {
			level = logLevel(l.GetLevel())
		}
		e := log.WithLevel(level).Time(zerolog.TimestampFieldName, ev.Time).Str("component", ev.Component.Name)
		msg := text.Escape(Describe(ev.Component.Role, ev.Kind, ev.Body))
		if ev.Source == run.FromOutput {
			e = e.Str("stream", ev.Kind)
			if f == Console && ev.Kind != "plugin-log" && ev.Kind != Suppressed {
				msg = ev.Kind + ": " + msg
			}
		}
		if f == JSON {
			if ev.Body != nil {
				e = e.RawJSON("event", jsonMessage(ev.Body))
			}
			e = e.Str("role", ev.Component.Role.Name).Str("kind", ev.Kind)
		}
		e.Msg(msg)
	}
}

// tellers are, for each component whose role has a Teller, what tells
// its events on the console.
type tellers struct {
	mu sync.Mutex
	of map[*lab.Component]roles.Teller
}

// tell shows ev with its role's Teller, if it has one and it shows ev,
// and reports whether it did. A plain program's events are the host's
// reading of what it printed itself: they are not told again.
func (ts *tellers) tell(log zerolog.Logger, ev run.Event) bool {
	c := ev.Component
	if c.Role.Teller == nil || ev.Raw == nil || ev.Body == nil {
		return false
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.of == nil {
		ts.of = map[*lab.Component]roles.Teller{}
	}
	t := ts.of[c]
	if t == nil {
		t = c.Role.Teller(c.Name)
		ts.of[c] = t
	}
	lines, ok := t.Tell(ev.Time, ev.Body)
	for _, line := range lines {
		log.Info().Time(zerolog.TimestampFieldName, ev.Time).Str("component", c.Name).Msg(line)
	}
	return ok
}

// logLink shows what a link did: losses, copies, reordering and resets;
// deliveries, even delayed ones, only with -v, since on a clean or merely
// slow link that is every packet.
func logLink(log zerolog.Logger, f Format, ev run.Event) {
	l := ev.Link
	level := zerolog.DebugLevel
	if l.Fate&(link.Dropped|link.Duplicated|link.Reordered|link.Reset) != 0 {
		level = zerolog.InfoLevel
	}
	e := log.WithLevel(level).Time(zerolog.TimestampFieldName, ev.Time).Str("component", ev.Component.Name)
	if f == JSON {
		e = e.Str("kind", "link").RawJSON("link", linkEventJSON(l))
	}
	e.Msg(DescribeLink(l))
}

// DescribeLink renders what a link did to one datagram or segment.
func DescribeLink(l *link.Event) string {
	what := text.Quote(l.Payload)
	if l.Proto == "tcp" {
		what = fmt.Sprintf("%d bytes at offset %d", l.Size, l.Seq)
	}
	fate := l.Fate.String()
	if l.Delay > 0 {
		fate += " after " + l.Delay.Round(time.Microsecond).String()
	}
	return fmt.Sprintf("link %s %s: %s", l.Dir, fate, what)
}

func logLevel(l pb.Log_Level) zerolog.Level {
	switch l {
	case pb.Log_LEVEL_DEBUG:
		return zerolog.DebugLevel
	case pb.Log_LEVEL_WARN:
		return zerolog.WarnLevel
	case pb.Log_LEVEL_ERROR:
		return zerolog.ErrorLevel
	}
	return zerolog.InfoLevel
}

// Report writes how the run ended: one line per component, its summary,
// and for a failure the cause.
func Report(w io.Writer, res *run.Result) {
	width := 4
	for _, c := range res.Components {
		width = max(width, len(c.Component.Name))
	}
	fmt.Fprintln(w)
	for _, c := range res.Components {
		status := c.Status().String()
		if c.Status() == run.Failed {
			status = "FAILED"
		}
		fmt.Fprintf(w, "%-*s  %-16s  %-7s  %s\n", width, c.Component.Name, c.Component.Role.Name, status, c.Component.Plugin)
		if c.Summary != nil {
			fmt.Fprintf(w, "%-*s  %s\n", width, "", text.Escape(Describe(c.Component.Role, "summary", c.Summary)))
		}
		if c.Link != nil {
			fmt.Fprintf(w, "%-*s  %s\n", width, "", c.Link.Line())
		}
		if err := c.Failure(); err != nil {
			fmt.Fprintf(w, "%-*s  %s\n", width, "", indent(text.EscapeLines(err.Error()), width+2))
		}
	}
	if res.Err != nil {
		fmt.Fprintf(w, "run failed: %s\n", text.EscapeLines(res.Err.Error()))
	}
	verdict := "every component succeeded"
	switch {
	case res.Interrupted:
		verdict = "interrupted"
	case !res.OK():
		verdict = tally(res)
	}
	fmt.Fprintf(w, "\n%s in %s\n", verdict, res.Elapsed.Round(time.Millisecond))
}

// tally counts the components by how they ended: "1 failed, 1 not run, 1 ok".
func tally(res *run.Result) string {
	n := map[run.Status]int{}
	for _, c := range res.Components {
		n[c.Status()]++
	}
	var parts []string
	for _, s := range []run.Status{run.Failed, run.NotRun, run.OK} {
		if n[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[s], s))
		}
	}
	if len(parts) == 0 {
		return "failed"
	}
	return strings.Join(parts, ", ")
}

func indent(s string, n int) string {
	return strings.ReplaceAll(s, "\n", "\n"+strings.Repeat(" ", n))
}

// ReportJSON writes the result as one JSON object.
func ReportJSON(log zerolog.Logger, res *run.Result) {
	arr := zerolog.Arr()
	for _, c := range res.Components {
		d := zerolog.Dict().Str("component", c.Component.Name).Str("role", c.Component.Role.Name).
			Str("plugin", c.Component.Plugin.String()).Bool("ok", c.Status() == run.OK).
			Str("status", jsonStatus(c.Status())).Int("events", c.Events)
		if c.Address != "" {
			d = d.Str("address", c.Address)
		}
		if c.Summary != nil {
			d = d.RawJSON("summary", jsonMessage(c.Summary))
		}
		if err := c.Failure(); err != nil {
			d = d.Str("error", text.EscapeLines(err.Error()))
		}
		if c.Link != nil {
			d = d.Interface("link", linkSummaryJSON(c.Link))
		}
		arr = arr.Dict(d)
	}
	e := log.Info()
	if res.Err != nil {
		e = e.Str("error", text.EscapeLines(res.Err.Error()))
	}
	e.Str("kind", "result").Bool("ok", res.OK() && !res.Interrupted).Bool("interrupted", res.Interrupted).
		Float64("elapsed_s", res.Elapsed.Seconds()).Float64("startup_s", res.Startup.Seconds()).
		Array("components", arr).Msg("lab finished")
}
