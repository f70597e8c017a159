// Package judge holds what every lab's checks share: a Check and its
// settings, what a scenario's run showed (Observed) and the words of
// evidence. A lab's checks live in a package of their own beside it
// (judge/ping, judge/heartbeat, judge/web), each exporting one Grader per
// role; the grader iterates a Graders registry and knows no role.
package judge

import (
	"fmt"
	"time"

	"github.com/zclconf/go-cty/cty"
)

// Check is one judgement a scenario can ask for, by name: a Go function
// of the run's events that returns the evidence of what is wrong, in
// words, or nothing when all is right.
type Check struct {
	Role, Name string
	// Doc says what it wants, in a sentence.
	Doc string
	// Params are the settings a suite may give it, besides points.
	Params map[string]Param
	// Judge returns the evidence of failure (empty: pass). An error means
	// the scenario could not test this at all (it was set up wrong).
	Judge func(o *Observed, p Params) ([]string, error)
}

// Param is a setting of a check.
type Param struct {
	Doc     string
	Default cty.Value
}

// Validate says why v is no value for the setting p.
func (p Param) Validate(v cty.Value) error {
	if p.Default.Type() == cty.String {
		if v.Type() != cty.String || v.IsNull() {
			return fmt.Errorf("want a string")
		}
		if _, err := time.ParseDuration(v.AsString()); err != nil {
			return fmt.Errorf("%q is not a duration, like \"50ms\"", v.AsString())
		}
		return nil
	}
	if v.Type() != cty.Number || v.IsNull() {
		return fmt.Errorf("want a number")
	}
	return nil
}

// Params are a check's settings as a scenario gives them.
type Params struct {
	check *Check
	set   map[string]cty.Value
}

// NewParams are c's settings given as set; the rest take their defaults.
func NewParams(c *Check, set map[string]cty.Value) Params { return Params{check: c, set: set} }

func (p Params) value(name string) cty.Value {
	if v, ok := p.set[name]; ok {
		return v
	}
	return p.check.Params[name].Default
}

// Duration returns a duration setting.
func (p Params) Duration(name string) time.Duration {
	d, _ := time.ParseDuration(p.value(name).AsString())
	return d
}

// Number returns a number setting.
func (p Params) Number(name string) float64 {
	f, _ := p.value(name).AsBigFloat().Float64()
	return f
}

// Evidence collects failure evidence, keeping the first few of a kind
// readable: after max lines it only counts.
type Evidence struct {
	lines []string
	more  int
}

const maxEvidence = 6

// Add adds a line of evidence.
func (e *Evidence) Add(format string, args ...any) {
	if len(e.lines) >= maxEvidence {
		e.more++
		return
	}
	e.lines = append(e.lines, fmt.Sprintf(format, args...))
}

// Result is the evidence gathered: empty when nothing was added.
func (e *Evidence) Result() []string {
	if e.more > 0 {
		return append(e.lines, fmt.Sprintf("... and %d more like these", e.more))
	}
	return e.lines
}

// NothingToJudge is the evidence of a check that saw nothing it could
// judge: it gives no points, and says why.
func NothingToJudge(format string, args ...any) string {
	return "nothing to judge: " + fmt.Sprintf(format, args...)
}
