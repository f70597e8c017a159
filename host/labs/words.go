package labs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/types/known/durationpb"
)

// The numbers and texts the labs' descriptions share.

// plural is "1 request", "3 requests".
func plural(n uint64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// printable quotes text a peer sent if it holds anything that is not plain
// printable text, so a request cannot write control sequences to the
// terminal.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return s
}

func seconds(d *durationpb.Duration) string {
	return strconv.FormatFloat(d.AsDuration().Seconds(), 'f', 6, 64)
}

// shortSeconds shows d in seconds to the millisecond, without trailing zeros.
func shortSeconds(d *durationpb.Duration) string {
	return strconv.FormatFloat(d.AsDuration().Round(time.Millisecond).Seconds(), 'f', -1, 64)
}

// shortMillis shows d in milliseconds to the microsecond, without trailing zeros.
func shortMillis(d *durationpb.Duration) string {
	return strconv.FormatFloat(float64(d.AsDuration().Round(time.Microsecond))/float64(time.Millisecond), 'f', -1, 64)
}

func millis(d *durationpb.Duration) string {
	return strconv.FormatFloat(float64(d.AsDuration().Microseconds())/1000, 'f', 3, 64)
}
