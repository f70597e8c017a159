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
		{"plain", []string{"a", "b", "c", "d", "e", "f", "g"}, "c\nd\ne\nf\ng"},
		{"go panic", []string{"x", "panic: boom", "", "goroutine 1 [running]:", "main.main()"}, "panic: boom\n\ngoroutine 1 [running]:\nmain.main()"},
		{"python traceback", []string{"x", "Traceback (most recent call last):", "  File \"p.py\"", "ZeroDivisionError: division by zero"},
			"Traceback (most recent call last):\n  File \"p.py\"\nZeroDivisionError: division by zero"},
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
