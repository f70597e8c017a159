// Package text makes what components say safe to show: their bytes are
// shown, never obeyed. A terminal escape, a carriage return or an invalid
// UTF-8 byte from a plugin, a plain program or a peer becomes visible text
// (\x1b, \r, \xff) in the console, in JSON lines and in every report, so
// that no component can clear a screen, set a window title or forge a
// line of someone else's.
//
// Escape is idempotent: it leaves backslashes alone, so escaping text that
// was escaped already changes nothing, and every layer may escape what it
// shows without keeping track of what was escaped before.
package text

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Escape returns s as one line of safe text: valid UTF-8 with no control
// characters other than tab. C0 controls and DEL become \xNN (\n and \r
// as such), invalid UTF-8 bytes \xNN, C1 controls, line and paragraph
// separators and bidirectional overrides \uNNNN.
func Escape(s string) string { return escape(s, false) }

// EscapeLines is Escape for text of several lines: newlines are kept.
func EscapeLines(s string) string { return escape(s, true) }

// Bytes is Escape for bytes.
func Bytes(b []byte) string { return escape(string(b), false) }

// Cut returns s cut to at most max bytes (at a character boundary), saying
// how much was cut.
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	end := max
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + " … (" + strconv.Itoa(len(s)-end) + " more bytes cut)"
}

func escape(s string, keepNewlines bool) string {
	i := firstUnsafe(s, keepNewlines)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			hexByte(&b, s[i])
		case !unsafe(r, keepNewlines):
			b.WriteString(s[i : i+size])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			hexByte(&b, byte(r))
		default:
			b.WriteString(`\u`)
			h := strconv.FormatInt(int64(r), 16)
			b.WriteString(strings.Repeat("0", 4-len(h)))
			b.WriteString(h)
		}
		i += size
	}
	return b.String()
}

// firstUnsafe is the index of the first byte that needs escaping, or -1.
func firstUnsafe(s string, keepNewlines bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if unsafe(rune(c), keepNewlines) {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafe(r, keepNewlines) {
			return i
		}
		i += size
	}
	return -1
}

// unsafe reports whether r would act on a terminal or on the layout of
// the text rather than show.
func unsafe(r rune, keepNewlines bool) bool {
	switch {
	case r == '\t', r == '\n' && keepNewlines:
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f:
		return true // bidirectional overrides reorder what is shown
	}
	return false
}

func hexByte(b *strings.Builder, c byte) {
	const digits = "0123456789abcdef"
	b.WriteString(`\x`)
	b.WriteByte(digits[c>>4])
	b.WriteByte(digits[c&15])
}

// Quote shows a payload as a Go-quoted string, escaping what is not
// printable, cut at a length that fits a line.
func Quote(b []byte) string {
	const max = 80
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "...(" + strconv.Itoa(len(b)) + " bytes)"
	}
	return strconv.Quote(string(b))
}
