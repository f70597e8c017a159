package plain

import (
	"strconv"
	"strings"
	"time"

	"github.com/socklab/socklab/internal/lazy"
)

// number is one number printed on a line, with what follows it.
type number struct {
	value float64
	// unit is the duration it is in when a unit follows it; 0 without one.
	unit time.Duration
	// percent: a "%" follows it.
	percent bool
	// fraction: it was written with a decimal point or an exponent.
	fraction bool
	// start and end are its byte offsets in the line, unit included.
	start, end int
}

// duration reads n as a duration, in seconds unless it has a unit.
func (n number) duration() time.Duration {
	unit := n.unit
	if unit == 0 {
		unit = time.Second
	}
	return time.Duration(n.value * float64(unit))
}

// unixTime reports whether n looks like a Unix time rather than a
// measurement: a million or more, without a unit.
func (n number) unixTime() bool { return n.unit == 0 && n.value >= 1e6 }

var (
	numberRE = lazy.Regexp(`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`)
	unitRE   = lazy.Regexp(`^\s*(?i:(milliseconds?|msecs?|ms|microseconds?|usecs?|us|µs|μs|nanoseconds?|ns|seconds?|secs?|s))\b`)
	// An "s" right after a number is a unit only if no letter follows it.
	percentRE = lazy.Regexp(`^\s*%`)
)

// units maps a unit word's first letters to its duration.
func unitOf(word string) time.Duration {
	w := strings.ToLower(word)
	switch {
	case strings.HasPrefix(w, "ms"), strings.HasPrefix(w, "milli"):
		return time.Millisecond
	case strings.HasPrefix(w, "us"), strings.HasPrefix(w, "micro"), strings.HasPrefix(w, "µ"), strings.HasPrefix(w, "μ"):
		return time.Microsecond
	case strings.HasPrefix(w, "n"):
		return time.Nanosecond
	}
	return time.Second
}

// numbers finds every number on a line, with its unit or percent sign.
func numbers(line string) []number {
	var ns []number
	for _, loc := range numberRE().FindAllStringIndex(line, -1) {
		text := line[loc[0]:loc[1]]
		// A sign glued to a word ("rtt-0.2") or a number inside a word
		// ("UDP4", "0x1f") is not a number of its own.
		if loc[0] > 0 && isWordByte(line[loc[0]-1]) && !strings.HasPrefix(text, "-") && !strings.HasPrefix(text, "+") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSuffix(text, "."), 64)
		if err != nil {
			continue
		}
		n := number{value: v, start: loc[0], end: loc[1], fraction: strings.ContainsAny(text, ".eE")}
		rest := line[loc[1]:]
		if m := unitRE().FindStringSubmatchIndex(rest); m != nil {
			n.unit = unitOf(rest[m[2]:m[3]])
			n.end += m[1]
		} else if m := percentRE().FindStringIndex(rest); m != nil {
			n.percent = true
			n.end += m[1]
		} else if len(rest) > 0 && isWordByte(rest[0]) {
			continue // "3rd", "12abc": part of a word
		}
		ns = append(ns, n)
	}
	return ns
}

func isWordByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// lineUnit is the unit a line names on its own, as in "RTT (ms): 0.21" or
// "min/avg/max = 1/2/3 ms": the last unit word that follows no number.
func lineUnit(line string) time.Duration {
	words := unitWordRE().FindAllStringSubmatch(line, -1)
	if len(words) == 0 {
		return 0
	}
	return unitOf(words[len(words)-1][1])
}

var unitWordRE = lazy.Regexp(`(?i)(?:^|[\s(\[/])(milliseconds|msecs?|ms|microseconds|usecs?|us|µs|μs|seconds|secs?)(?:$|[\s)\]:,.=])`)
