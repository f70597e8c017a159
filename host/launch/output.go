package launch

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/rs/zerolog"
)

// tailLines is how much of a plugin's output is kept to explain its end.
const tailLines = 40

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

	mu   sync.Mutex
	tail []string
}

func newOutput(log zerolog.Logger, emit func(Line)) *output {
	if emit == nil {
		emit = func(l Line) { log.WithLevel(l.Level).Str("stream", l.Stream).Msg(l.Text) }
	}
	return &output{log: log, emit: emit}
}

func (o *output) remember(line string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.tail = append(o.tail, line)
	if len(o.tail) > tailLines {
		o.tail = o.tail[len(o.tail)-tailLines:]
	}
}

// lastWords says in a line why the process ended, from what it printed
// last (see cause).
func (o *output) lastWords() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return cause(o.tail)
}

// stream returns a writer for one of the plugin's output streams. Raw
// stderr may carry go-plugin's JSON log lines, which keep their level.
func (o *output) stream(name string, parseJSON bool) io.Writer {
	return &lineWriter{emit: func(line string) {
		now := time.Now()
		if parseJSON {
			if level, msg, ok := hclogLine(line); ok {
				o.emit(Line{Stream: "plugin-log", Level: level, Text: msg, Time: now})
				return
			}
		}
		o.remember(line)
		o.emit(Line{Stream: name, Level: zerolog.InfoLevel, Text: line, Time: now})
	}}
}

// hclog returns the logger go-plugin itself uses. Its messages are
// debugging detail; the lines it relays from the plugin's stderr are
// dropped here since stream("stderr") already shows them.
func (o *output) hclog() hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       "go-plugin",
		Level:      hclog.Debug,
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

// lineWriter calls emit once per complete line written to it.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := strings.TrimRight(string(w.buf[:i]), "\r")
		w.buf = w.buf[i+1:]
		w.emit(line)
	}
	return len(p), nil
}
