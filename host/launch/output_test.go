package launch

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestOutputLinesAndLastWords(t *testing.T) {
	var lines []Line
	o := newOutput(zerolog.Nop(), func(l Line) { lines = append(lines, l) })
	stderr := o.stream("stderr", true)
	fmt.Fprint(stderr, "first line\n{\"@level\":\"warn\",\"@message\":\"from go-plugin\",\"@module\":\"plugin\"}\npartial ")
	fmt.Fprint(stderr, "line\r\n")
	if len(lines) != 3 || lines[0].Text != "first line" || lines[1].Stream != "plugin-log" ||
		lines[1].Level != zerolog.WarnLevel || lines[2].Text != "partial line" {
		t.Fatalf("lines %+v", lines)
	}

	tests := []struct {
		name string
		tail []string
		want string
	}{
		{"plain", []string{"a", "b", "c", "", " "}, "c"},
		{"go panic", []string{"x", "panic: boom", "", "goroutine 1 [running]:", "runtime.foo()", "\t/go/src/runtime/x.go:3 +0x1", "main.main()", "\t/src/p/main.go:12 +0x1d"},
			"panic: boom (main.go:12)"},
		{"python traceback", []string{"x", "Traceback (most recent call last):", "  File \"/s/p.py\", line 6, in <module>", "    helper()",
			"  File \"/s/p.py\", line 5, in helper", "    1/0", "    ~^~", "ZeroDivisionError: division by zero"},
			"ZeroDivisionError: division by zero (p.py:5)"},
		{"python traceback, then stdout", []string{"Traceback (most recent call last):", "  File \"/s/c.py\", line 3, in <module>", "    raise ValueError('bad seq')",
			"ValueError: bad seq", "Ping 1 sent"}, "ValueError: bad seq (c.py:3)"},
	}
	for _, tt := range tests {
		o := newOutput(zerolog.Nop(), func(Line) {})
		w := o.stream("stderr", false)
		fmt.Fprint(w, strings.Join(tt.tail, "\n")+"\n")
		if got := o.lastWords(); got != tt.want {
			t.Errorf("%s: lastWords = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestEndsInCrash: stderr that ends with an uncaught traceback (its
// exception the last line) or a panic is a crash report; a traceback
// followed by more of the program's words is not.
func TestEndsInCrash(t *testing.T) {
	tb := []string{"Traceback (most recent call last):", `  File "WebServer.py", line 18, in <module>`, "    filename = message.split()[1]", "IndexError: list index out of range"}
	tests := []struct {
		name string
		tail []string
		want bool
	}{
		{"a traceback, last", tb, true},
		{"after other lines", append([]string{"Ready to serve..."}, tb...), true},
		{"then more output", append(append([]string{}, tb...), "Ready to serve..."), false},
		{"cut short", tb[:2], false},
		{"a panic", []string{"panic: runtime error: index out of range", "", "goroutine 1 [running]:", "main.main()", "\t/src/main.go:9 +0x1d"}, true},
		{"no crash", []string{"Ready to serve..."}, false},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		if got := endsInCrash(tt.tail); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestGoPluginLogFollowsTheHostLog: go-plugin's own messages reach the
// host's log at debug level, and go-plugin is told not to make them at all
// when the log would drop them.
func TestGoPluginLogFollowsTheHostLog(t *testing.T) {
	tests := []struct {
		name  string
		level zerolog.Level
		shown bool
	}{
		{"debug", zerolog.DebugLevel, true},
		{"trace", zerolog.TraceLevel, true},
		{"info", zerolog.InfoLevel, false},
		{"disabled", zerolog.Disabled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf strings.Builder
			o := newOutput(zerolog.New(&buf).Level(tt.level), func(Line) {})
			l := o.hclog()
			if l.IsDebug() != tt.shown {
				t.Errorf("go-plugin's logger at debug: %v, want %v", l.IsDebug(), tt.shown)
			}
			l.Debug("starting plugin", "path", "/bin/x")
			if got := strings.Contains(buf.String(), "starting plugin"); got != tt.shown {
				t.Errorf("host log %q: message shown %v, want %v", buf.String(), got, tt.shown)
			}
		})
	}
}
