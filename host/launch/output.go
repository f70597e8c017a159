package launch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/text"
)

// tailLines is how much of a plugin's output is kept to explain its end,
// per stream.
const tailLines = 40

// MaxLine is the longest line of a component's output that is kept: the
// rest of a longer line is dropped as it comes, and the line is shown cut,
// saying how much was cut. A line without a newline costs no more than
// this, however long it runs.
const MaxLine = 16 << 10

// Line is one line a plugin wrote on stdout or stderr, or logged.
type Line struct {
	// Stream is "stdout", "stderr" or "plugin-log" (go-plugin's own JSON log).
	Stream string
	Level  zerolog.Level
	Text   string
	Time   time.Time
}

// output routes everything a plugin process says to its owner, and keeps
// the last lines for Diagnosis. go-plugin's own chatter goes to log.
type output struct {
	log  zerolog.Logger
	emit func(Line)

	mu    sync.Mutex
	tails map[string][]string // by stream
	all   []string            // both streams, as they were read
}

func newOutput(log zerolog.Logger, emit func(Line)) *output {
	if emit == nil {
		emit = func(l Line) { log.WithLevel(l.Level).Str("stream", l.Stream).Msg(l.Text) }
	}
	return &output{log: log, emit: emit, tails: map[string][]string{}}
}

func (o *output) remember(stream, line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tails[stream] = keepLast(append(o.tails[stream], line))
	o.all = keepLast(append(o.all, line))
}

func keepLast(tail []string) []string {
	if len(tail) > tailLines {
		return append(tail[:0], tail[len(tail)-tailLines:]...)
	}
	return tail
}

// lastWords says in a line why the process ended, from what it printed
// last (see cause). A crash is read from stderr alone: stdout is read by
// another goroutine, so its last lines may be taken among the traceback's.
func (o *output) lastWords() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if c, ok := crashCause(o.tails["stderr"]); ok {
		return c
	}
	return cause(o.all)
}

// crashReport is the crash stderr ends with (see CrashReport): its last
// traceback or panic, when nothing but that traceback's lines follow it.
func (o *output) crashReport() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	tail := o.tails["stderr"]
	c, ok := crashCause(tail)
	if !ok || !endsInCrash(tail) {
		return ""
	}
	return c
}

// stream returns a writer for one of the plugin's output streams. Raw
// stderr may carry go-plugin's JSON log lines, which keep their level.
func (o *output) stream(name string, parseJSON bool) *lineWriter {
	return &lineWriter{emit: func(line string) {
		line = text.Escape(line)
		now := time.Now()
		if parseJSON {
			if level, msg, ok := hclogLine(line); ok {
				o.emit(Line{Stream: "plugin-log", Level: level, Text: msg, Time: now})
				return
			}
		}
		o.remember(name, line)
		o.emit(Line{Stream: name, Level: zerolog.InfoLevel, Text: line, Time: now})
	}}
}

// hclog returns the logger go-plugin itself uses. Its messages are
// debugging detail; the lines it relays from the plugin's stderr are
// dropped here since stream("stderr") already shows them.
func (o *output) hclog() hclog.Logger {
	// What go-plugin says is shown at debug level only: below it, hclog
	// is off, so that go-plugin neither formats its messages nor parses
	// the plugin's stderr lines for the host's log, on the way to the
	// handshake.
	level := hclog.Off
	if o.log.GetLevel() <= zerolog.DebugLevel && zerolog.GlobalLevel() <= zerolog.DebugLevel {
		level = hclog.Debug
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:       "go-plugin",
		Level:      level,
		JSONFormat: true,
		Output: &lineWriter{emit: func(line string) {
			var entry map[string]any
			if json.Unmarshal([]byte(line), &entry) != nil || entry["@module"] != "go-plugin" {
				return
			}
			ev := o.log.Debug().Str("stream", "go-plugin")
			if e, ok := entry["error"].(string); ok {
				ev = ev.Str("error", e)
			}
			ev.Msg(entry["@message"].(string))
		}},
	})
}

// hclogLine reads a JSON log line as hclog writes it.
func hclogLine(line string) (zerolog.Level, string, bool) {
	if !strings.HasPrefix(line, "{") {
		return 0, "", false
	}
	var entry struct {
		Level   string `json:"@level"`
		Message string `json:"@message"`
	}
	if json.Unmarshal([]byte(line), &entry) != nil || entry.Message == "" {
		return 0, "", false
	}
	level, err := zerolog.ParseLevel(entry.Level)
	if err != nil || level == zerolog.NoLevel {
		level = zerolog.InfoLevel
	}
	return level, entry.Message, true
}

// lineWriter calls emit once per complete line written to it, each at
// most MaxLine bytes. It looks at each byte once, so a line without end
// costs time in proportion to its length and memory to MaxLine.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	cut  int // bytes of the current line past MaxLine, dropped
	emit func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		room := MaxLine - len(w.buf)
		if len(chunk) > room {
			w.buf = append(w.buf, chunk[:room]...)
			w.cut += len(chunk) - room
		} else {
			w.buf = append(w.buf, chunk...)
		}
		if i < 0 {
			break
		}
		w.line()
		p = p[i+1:]
	}
	return n, nil
}

// Flush emits a last line that did not end with a newline.
func (w *lineWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 || w.cut > 0 {
		w.line()
	}
}

func (w *lineWriter) line() {
	line := strings.TrimRight(string(w.buf), "\r")
	if w.cut > 0 {
		line += fmt.Sprintf(" … (%d more bytes cut)", w.cut)
	}
	w.buf, w.cut = w.buf[:0], 0
	w.emit(line)
}
