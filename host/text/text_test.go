package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want, lines string }{
		{"plain", "Ping 1 sent", "Ping 1 sent", "Ping 1 sent"},
		{"unicode kept", "héllo ✓\ttab", "héllo ✓\ttab", "héllo ✓\ttab"},
		{"clear screen and title", "\x1b[2J\x1b]0;owned\x07", `\x1b[2J\x1b]0;owned\x07`, `\x1b[2J\x1b]0;owned\x07`},
		{"newlines", "a\r\nb", `a\r\nb`, "a\\r\nb"},
		{"null and DEL", "a\x00b\x7f", `a\x00b\x7f`, `a\x00b\x7f`},
		{"invalid UTF-8", "GET /\xff\xfe HTTP", `GET /\xff\xfe HTTP`, `GET /\xff\xfe HTTP`},
		{"cut UTF-8", "caf\xc3", `caf\xc3`, `caf\xc3`},
		{"C1 CSI", "a\u009bb", `a\u009bb`, `a\u009bb`},
		{"bidi override", "abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
		{"backslashes kept", `C:\x1b`, `C:\x1b`, `C:\x1b`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Escape(tt.in); got != tt.want {
				t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := EscapeLines(tt.in); got != tt.lines {
				t.Errorf("EscapeLines(%q) = %q, want %q", tt.in, got, tt.lines)
			}
			if got := Escape(Escape(tt.in)); got != Escape(tt.in) {
				t.Errorf("not idempotent: %q", got)
			}
		})
	}
}

// TestEscapeEveryByte: whatever the bytes, the result is valid UTF-8 with
// no control character but tab.
func TestEscapeEveryByte(t *testing.T) {
	var all []byte
	for i := range 256 {
		all = append(all, byte(i), 'x')
	}
	got := Bytes(all)
	if !utf8.ValidString(got) {
		t.Fatalf("invalid UTF-8: %q", got)
	}
	for _, r := range got {
		if (r < 0x20 && r != '\t') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			t.Fatalf("control %U left in %q", r, got)
		}
	}
}

func TestCut(t *testing.T) {
	if got := Cut("short", 10); got != "short" {
		t.Errorf("Cut short = %q", got)
	}
	got := Cut(strings.Repeat("é", 10), 5) // é is 2 bytes: cut at 4
	if !strings.HasPrefix(got, "éé …") || !strings.Contains(got, "(16 more bytes cut)") {
		t.Errorf("Cut = %q", got)
	}
}
