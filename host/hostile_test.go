package main

// The hostile corpus (testdata/hostile): plugins and plain programs that
// send what a broken or malicious component would. Each lab must end the
// way the host promises: the bad event named, the component failed with a
// reason or its output shown escaped, and no process left behind (checked
// in cleanup).

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// hostilePlugin is the plugin block of the hostile ping client in mode.
func hostilePlugin(t *testing.T, mode string, env ...string) string {
	vars := []string{fmt.Sprintf("HOSTILE_MODE = %q", mode)}
	for _, e := range env {
		k, v, _ := strings.Cut(e, "=")
		vars = append(vars, fmt.Sprintf("%s = %q", k, v))
	}
	return fmt.Sprintf("plugin {\n    go = %q\n    env = { %s }\n  }", filepath.Join(repoRoot(t), "host/testdata/hostile/plugin"), strings.Join(vars, ", "))
}

// warnings returns the host's warnings about component.
func (r hostRun) warnings(component string) string {
	var b strings.Builder
	for _, l := range r.lines {
		if l["component"] == component && l["level"] == "warn" && l["kind"] == nil {
			fmt.Fprintln(&b, l["message"])
		}
	}
	return b.String()
}

// noEscapes fails if a byte that drives a terminal reached the output.
func noEscapes(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexAny(out, "\x1b\x07\x00\r"); i >= 0 {
		t.Errorf("%s holds a control byte %q: ...%q...", what, out[i], out[max(0, i-60):min(len(out), i+60)])
	}
}

func TestHostileComponents(t *testing.T) {
	tests := []struct {
		mode  string
		exit  int
		error []string // in the client's error
		warn  []string // in the host's warnings about the client
	}{
		{"utf8", 0, nil, []string{`its "log" event's field log.message was not valid UTF-8`, `GET /\xff\xfe0 \x1b]0;owned`,
			"3 strings in all were not valid UTF-8 (log log.message)"}},
		{"malformed", 1, []string{"sent a malformed message on its Run stream", "event 1 of a batch is cut short"}, nil},
		{"oversized", 1, []string{"sent a message larger than the host accepts", "4194304"}, nil},
		{"dates", 0, nil, []string{`its "log" event is dated`, "in the future", "shown at the time it was received",
			"2 of its events were dated outside the run"}},
		{"two-summaries", 1, []string{"sent a second Summary event"}, nil},
		{"negative", 1, []string{`sent a "summary" event whose summary.loss_percent is -5, negative`}, nil},
		{"empty", 1, []string{"sent an empty event"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			r := runHost(t, pingLab("", hostilePlugin(t, tt.mode), 3))
			if r.exit != tt.exit {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.exit, tt.exit, r.stdout, r.stderr)
			}
			msg, _ := r.result(t, "client")["error"].(string)
			for _, w := range tt.error {
				if !strings.Contains(msg, w) {
					t.Errorf("client's error lacks %q:\n%s", w, msg)
				}
			}
			warned := r.warnings("client")
			for _, w := range tt.warn {
				if !strings.Contains(warned, w) {
					t.Errorf("warnings lack %q:\n%s", w, warned)
				}
			}
			if strings.Contains(msg+warned, "lost the plugin") {
				t.Errorf("a plugin that is alive was reported lost: %s", msg)
			}
			noEscapes(t, "output", r.stdout+r.stderr)
		})
	}
	t.Run("console", func(t *testing.T) {
		r := startHost(t, pingLab("", hostilePlugin(t, "utf8"), 3)).wait(t)
		if r.exit != 0 {
			t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
		}
		noEscapes(t, "console", r.stdout+r.stderr)
		for _, w := range []string{`GET /\xff\xfe2 \x1b]0;owned\x07\x1b[2J`, `stderr: \x1b[2Jstderr escapes \x1b]0;title\x07`} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("console lacks %s:\n%s", w, r.stdout)
			}
		}
		if bytes.Contains([]byte(r.stdout), []byte{0xff}) {
			t.Error("console holds invalid UTF-8")
		}
	})
}
