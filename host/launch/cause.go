package launch

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/socklab/socklab/internal/lazy"
)

var (
	pythonFrame = lazy.Regexp(`^\s*File "([^"]+)", line (\d+)`)
	goFrame     = lazy.Regexp(`^\t(\S+\.go):(\d+)`)
)

// cause says in one line why a process that printed tail ended: a Python
// traceback's exception and where it was raised, a Go panic and the first
// frame outside the runtime, else its last line. The whole output was
// shown under the component's name as it was written, so the cause
// repeats only what tells.
func cause(tail []string) string {
	if c, ok := crashCause(tail); ok {
		return c
	}
	for i := len(tail) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(tail[i]); s != "" {
			return s
		}
	}
	return ""
}

// crashCause finds a Python traceback or a Go panic in tail.
func crashCause(tail []string) (string, bool) {
	for i := len(tail) - 1; i >= 0; i-- {
		if strings.HasPrefix(tail[i], "Traceback (most recent call last)") {
			return pythonCause(tail[i+1:]), true
		}
	}
	for i, l := range tail {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return goCause(l, tail[i+1:]), true
		}
	}
	return "", false
}

// endsInCrash reports whether tail ends with its crash report: a Python
// traceback whose exception line is the last line, or a Go panic (whose
// goroutine dumps run to the end).
func endsInCrash(tail []string) bool {
	for i := len(tail) - 1; i >= 0; i-- {
		if !strings.HasPrefix(tail[i], "Traceback (most recent call last)") {
			continue
		}
		// Frames are indented; the exception is the first line that is
		// not, and must be the last.
		for j := i + 1; j < len(tail); j++ {
			if l := tail[j]; l != "" && l[0] != ' ' && l[0] != '\t' {
				return j == len(tail)-1
			}
		}
		return false
	}
	for _, l := range tail {
		if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") {
			return true
		}
	}
	return false
}

// pythonCause reads a traceback after its first line: indented frames,
// then the exception, the first line that is not indented (what follows
// may be the program's stdout, flushed as it exited).
func pythonCause(lines []string) string {
	exception, where := "", ""
	for _, l := range lines {
		if m := pythonFrame().FindStringSubmatch(l); m != nil {
			where = filepath.Base(m[1]) + ":" + m[2]
			continue
		}
		if l != "" && l[0] != ' ' && l[0] != '\t' {
			exception = l
			break
		}
	}
	if exception == "" {
		return "Traceback (cut short)"
	}
	if where != "" {
		exception += fmt.Sprintf(" (%s)", where)
	}
	return exception
}

// goCause adds to a panic line the first frame of the program's own code.
func goCause(panicLine string, lines []string) string {
	for i := 1; i < len(lines); i++ {
		m := goFrame().FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		fn := lines[i-1]
		if strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "panic(") {
			continue
		}
		return fmt.Sprintf("%s (%s:%s)", panicLine, filepath.Base(m[1]), m[2])
	}
	return panicLine
}
