package check

import (
	"fmt"
	"sort"
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

func (p Param) validate(v cty.Value) error {
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

// catalogue is every check, by role and name.
func catalogue() map[string]map[string]*Check {
	all := map[string]map[string]*Check{}
	for _, set := range [][]*Check{pingClientChecks(), pingServerChecks(), heartbeatClientChecks(),
		heartbeatServerChecks(), webServerChecks(), webClientChecks()} {
		for _, c := range set {
			if all[c.Role] == nil {
				all[c.Role] = map[string]*Check{}
			}
			all[c.Role][c.Name] = c
		}
	}
	return all
}

func lookupCheck(role, name string) *Check { return catalogue()[role][name] }

// Checks returns the checks of role, sorted by name.
func Checks(role string) []*Check {
	var cs []*Check
	for _, c := range catalogue()[role] {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return cs
}

// CheckNames lists the names of role's checks.
func CheckNames(role string) []string {
	var names []string
	for _, c := range Checks(role) {
		names = append(names, c.Name)
	}
	return names
}

func firstCheck(role string) string {
	if names := CheckNames(role); len(names) > 0 {
		return names[0]
	}
	return "name"
}

// evidence collects failure evidence, keeping the first few of a kind
// readable: after max lines it only counts.
type evidence struct {
	lines []string
	more  int
}

const maxEvidence = 6

func (e *evidence) add(format string, args ...any) {
	if len(e.lines) >= maxEvidence {
		e.more++
		return
	}
	e.lines = append(e.lines, fmt.Sprintf(format, args...))
}

func (e *evidence) result() []string {
	if e.more > 0 {
		return append(e.lines, fmt.Sprintf("... and %d more like these", e.more))
	}
	return e.lines
}

// nothingToJudge is the evidence of a check that saw nothing it could
// judge: it gives no points, and says why.
func nothingToJudge(format string, args ...any) string {
	return "nothing to judge: " + fmt.Sprintf(format, args...)
}
