package judge

import (
	"fmt"
	"strings"

	"github.com/socklab/socklab/host/plain"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// maxReadings is how many readings one check's evidence quotes.
const maxReadings = 6

// Readings are the lines of the plain program under test that its reader
// took for what keep accepts, each as "read <line> as <what>": a line can
// be read more than one way, and the evidence says which.
func Readings(o *Observed, keep func(as string) bool) []string {
	if !o.Plain {
		return nil
	}
	var out []string
	more := 0
	for _, l := range Bodies[*pb.Log](o, o.Under, "log") {
		if _, as, ok := plain.Reading(l.Message); ok && keep(as) {
			if len(out) == maxReadings {
				more++
				continue
			}
			out = append(out, l.Message)
		}
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("... and %d more lines read so", more))
	}
	return out
}

// WithReadings adds to a failed check's evidence how the lines it judged
// were read; a pass stays a pass.
func WithReadings(ev []string, o *Observed, keep func(as string) bool) []string {
	if len(ev) == 0 {
		return ev
	}
	return append(ev, Readings(o, keep)...)
}

// AsPrefix keeps the readings whose "as" starts with one of prefixes.
func AsPrefix(prefixes ...string) func(string) bool {
	return func(as string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(as, p) {
				return true
			}
		}
		return false
	}
}
