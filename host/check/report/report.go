// Package report holds the outcome of grading and writes it: a table for
// people, report.json, JUnit XML, Gradescope's results.json, and HTML
// pages (index.html and a page per submission, its failed scenarios drawn
// by host/page).
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/page"
	"github.com/socklab/socklab/host/text"
)

// Report is the outcome of grading submissions against a suite. It is
// what report.json holds (the field names are its keys):
//
//	suite, role         the suite file ("builtin:ROLE" for a built-in one) and its role
//	started             when grading began (RFC 3339)
//	elapsed_seconds     how long it took, wall clock
//	isolation           how submissions were kept apart: "netns", "userns" or "none"
//	jobs                how many ran at once
//	points, max_points  the sum over submissions, extras included
//	sheet_points, sheet_max_points  the part the lab sheet asks for: the grade (extras are counted apart)
//	passed              every scenario of every submission passed
//	submissions[]       one per submission (SubmissionResult)
type Report struct {
	Suite          string    `json:"suite"`
	Role           string    `json:"role"`
	Started        time.Time `json:"started"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
	Isolation      string    `json:"isolation"`
	// Sandbox says whether the components under test ran sandboxed:
	// "on", "on; limits off here: ...", or "off".
	Sandbox        string              `json:"sandbox"`
	Jobs           int                 `json:"jobs"`
	Points         float64             `json:"points"`
	MaxPoints      float64             `json:"max_points"`
	SheetPoints    float64             `json:"sheet_points"`
	SheetMaxPoints float64             `json:"sheet_max_points"`
	Passed         bool                `json:"passed"`
	Submissions    []*SubmissionResult `json:"submissions"`
}

// SubmissionResult is one submission's grade:
//
//	name                the student (the directory) or the component
//	component           how it was run, e.g. "program /usr/bin/python3 UDPPingerClient.py"
//	points, max_points  its score, extras included
//	sheet_points, sheet_max_points  the part the lab sheet asks for: its grade
//	passed              every scenario passed
//	error               why it could not be graded at all (does not build, killed at --timeout); absent otherwise
//	elapsed_seconds     its run of the suite
//	note                how it was found, when its directory offered a choice
//	extra_points, extra_max_points  the part of points and max_points from checks beyond the lab sheet (extra), counted apart
//	scenarios[]         one per scenario of the suite (ScenarioResult)
type SubmissionResult struct {
	Name           string            `json:"name"`
	Component      string            `json:"component"`
	Points         float64           `json:"points"`
	MaxPoints      float64           `json:"max_points"`
	SheetPoints    float64           `json:"sheet_points"`
	SheetMaxPoints float64           `json:"sheet_max_points"`
	ExtraPoints    float64           `json:"extra_points"`
	ExtraMaxPoints float64           `json:"extra_max_points"`
	Note           string            `json:"note,omitempty"`
	Passed         bool              `json:"passed"`
	Error          string            `json:"error,omitempty"`
	ElapsedSeconds float64           `json:"elapsed_seconds"`
	Scenarios      []*ScenarioResult `json:"scenarios"`
}

// ScenarioResult is one scenario's outcome:
//
//	name, description   from the suite
//	points, max_points  the points of the checks that passed (none if error is set), extras included
//	sheet_points, sheet_max_points  the part the lab sheet asks for
//	passed              every check passed and there is no error
//	sheet_passed        every check the lab sheet asks for passed and there is no error (only an extra failed when passed is not)
//	error               the component under test failed (crashed, hung, exited), or a reference did, or the scenario could not run
//	extra_points, extra_max_points  the part from checks beyond the lab sheet
//	extra               every check of the scenario goes beyond the lab sheet
//	notes[]             how the scenario was run: where a plain server was found bound, where a plain client's link listened
//	seed                the lab's seed: the link's drops follow from it
//	elapsed_seconds     its run
//	checks[]            name, points, max_points, passed, extra (beyond the lab sheet), and evidence[]: what was wrong, in words
type ScenarioResult struct {
	Name           string        `json:"name"`
	Description    string        `json:"description,omitempty"`
	Points         float64       `json:"points"`
	MaxPoints      float64       `json:"max_points"`
	SheetPoints    float64       `json:"sheet_points"`
	SheetMaxPoints float64       `json:"sheet_max_points"`
	ExtraPoints    float64       `json:"extra_points"`
	ExtraMaxPoints float64       `json:"extra_max_points"`
	Extra          bool          `json:"extra,omitempty"`
	Notes          []string      `json:"notes,omitempty"`
	Passed         bool          `json:"passed"`
	SheetPassed    bool          `json:"sheet_passed"`
	Error          string        `json:"error,omitempty"`
	Seed           int64         `json:"seed"`
	ElapsedSeconds float64       `json:"elapsed_seconds"`
	Checks         []CheckResult `json:"checks"`
	// Trace is a failed scenario's run for its page (when Options.Traces
	// asks for it), its offending packets highlighted; not in report.json.
	Trace *page.Trace `json:"-"`
}

// CheckResult is one check's outcome within a scenario.
type CheckResult struct {
	Name      string  `json:"name"`
	Points    float64 `json:"points"`
	MaxPoints float64 `json:"max_points"`
	Passed    bool    `json:"passed"`
	// Extra: the check asks for more than the lab sheet does.
	Extra    bool     `json:"extra,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

// Label is a check's name as reports show it.
func (c CheckResult) Label() string {
	if c.Extra {
		return c.Name + " [extra]"
	}
	return c.Name
}

// Label is a scenario's name as reports show it.
func (sc *ScenarioResult) Label() string {
	if sc.Extra {
		return sc.Name + " [extra]"
	}
	return sc.Name
}

// extras sums the points of the scenario's checks beyond the sheet, and
// the sheet's part apart from them.
func (sc *ScenarioResult) extras() {
	sc.ExtraPoints, sc.ExtraMaxPoints = 0, 0
	sc.Extra = len(sc.Checks) > 0
	sc.SheetPassed = sc.Error == ""
	for _, c := range sc.Checks {
		sc.Extra = sc.Extra && c.Extra
		if c.Extra {
			sc.ExtraPoints += c.Points
			sc.ExtraMaxPoints += c.MaxPoints
		} else {
			sc.SheetPassed = sc.SheetPassed && c.Passed
		}
	}
	// A scenario of extra checks only has nothing of the sheet to fail, even
	// when the program crashed in it (the sheet's own server dies on junk).
	sc.SheetPassed = sc.SheetPassed || sc.Extra
	sc.SheetPoints, sc.SheetMaxPoints = sc.Points-sc.ExtraPoints, sc.MaxPoints-sc.ExtraMaxPoints
}

// NotRun is the result of a scenario that did not run, for why: no
// points, and its checks listed (none passed) so that its extras are
// still counted apart.
func NotRun(sc *suite.Scenario, why string) *ScenarioResult {
	sr := &ScenarioResult{Name: sc.Name, Description: sc.Description, MaxPoints: sc.MaxPoints(), Error: why}
	for _, c := range sc.Checks {
		sr.Checks = append(sr.Checks, CheckResult{Name: c.Name, MaxPoints: c.Points, Extra: c.Extra})
	}
	return sr
}

// Total sums a submission's scenarios.
func (s *SubmissionResult) Total() {
	s.Points, s.MaxPoints, s.Passed = 0, 0, s.Error == ""
	s.ExtraPoints, s.ExtraMaxPoints = 0, 0
	for _, sc := range s.Scenarios {
		sc.extras()
		s.Points += sc.Points
		s.MaxPoints += sc.MaxPoints
		s.ExtraPoints += sc.ExtraPoints
		s.ExtraMaxPoints += sc.ExtraMaxPoints
		s.Passed = s.Passed && sc.Passed
	}
	s.SheetPoints, s.SheetMaxPoints = s.Points-s.ExtraPoints, s.MaxPoints-s.ExtraMaxPoints
}

// Total sums the submissions.
func (r *Report) Total() {
	r.Points, r.MaxPoints, r.Passed = 0, 0, true
	r.SheetPoints, r.SheetMaxPoints = 0, 0
	for _, s := range r.Submissions {
		r.Points += s.Points
		r.MaxPoints += s.MaxPoints
		r.SheetPoints += s.SheetPoints
		r.SheetMaxPoints += s.SheetMaxPoints
		r.Passed = r.Passed && s.Passed
	}
}

// Failed is the grade of a submission that could not be graded at all:
// every scenario of s failed for why.
func Failed(name, component, why string, s *suite.Suite) *SubmissionResult {
	res := &SubmissionResult{Name: name, Component: component, Error: why}
	for _, sc := range s.Scenarios {
		res.Scenarios = append(res.Scenarios, NotRun(sc, why))
	}
	res.Total()
	return res
}

// failure is a failed scenario's evidence as text: the error, then each
// failed check's evidence.
func (sc *ScenarioResult) failure() string {
	var b strings.Builder
	if sc.Error != "" {
		b.WriteString(sc.Error)
		b.WriteByte('\n')
	}
	for _, c := range sc.Checks {
		for _, e := range c.Evidence {
			fmt.Fprintf(&b, "%s: %s\n", c.Label(), e)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// escape makes every text of the report safe to show (package text): a
// submission's output quoted in an error or in evidence, its name, may
// hold terminal escapes or bytes that are not UTF-8. Escaping is
// idempotent, so each writer escapes before it writes.
func (r *Report) escape() {
	for _, s := range r.Submissions {
		s.Name, s.Component, s.Error = text.Escape(s.Name), text.Escape(s.Component), text.EscapeLines(s.Error)
		for _, sc := range s.Scenarios {
			sc.Name, sc.Description, sc.Error = text.Escape(sc.Name), text.EscapeLines(sc.Description), text.EscapeLines(sc.Error)
			for i := range sc.Checks {
				c := &sc.Checks[i]
				c.Name = text.Escape(c.Name)
				for j, e := range c.Evidence {
					c.Evidence[j] = text.EscapeLines(e)
				}
			}
		}
	}
}

// Points shows points as reports do: 2.5, 3.
func Points(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }

// WriteText writes the report for people: for one submission its table
// of scenarios; for several, one row per submission, then each one's
// details.
func (r *Report) WriteText(w io.Writer) {
	r.escape()
	if len(r.Submissions) == 1 {
		s := r.Submissions[0]
		fmt.Fprintf(w, "%s suite against %s (%s)\n\n", r.Role, s.Name, s.Component)
		s.writeTable(w)
		fmt.Fprintf(w, "\n%s: %s/%s points%s in %.1fs\n", s.result(), Points(s.SheetPoints), Points(s.SheetMaxPoints), s.extraNote(), s.ElapsedSeconds)
		return
	}
	width := len("student")
	for _, s := range r.Submissions {
		width = max(width, len(s.Name))
	}
	fmt.Fprintf(w, "%s suite, %d submissions\n\n", r.Role, len(r.Submissions))
	extras := false
	for _, s := range r.Submissions {
		extras = extras || s.ExtraMaxPoints > 0
	}
	extraCol := func(s string) string {
		if !extras {
			return ""
		}
		return fmt.Sprintf("%-9s  ", s)
	}
	fmt.Fprintf(w, "%-*s  %-9s  %s%-9s  %s\n", width, "student", "points", extraCol("extra"), "scenarios", "result")
	for _, s := range r.Submissions {
		passed := 0
		for _, sc := range s.Scenarios {
			if sc.Passed {
				passed++
			}
		}
		note := ""
		if s.Error != "" {
			note = "  " + FirstLine(s.Error)
		}
		fmt.Fprintf(w, "%-*s  %-9s  %s%-9s  %s%s\n", width, s.Name, ratio(s.SheetPoints, s.SheetMaxPoints), extraCol(ratio(s.ExtraPoints, s.ExtraMaxPoints)),
			fmt.Sprintf("%d/%d", passed, len(s.Scenarios)), s.result(), note)
	}
	sandboxed := ""
	if r.Sandbox != "" {
		sandboxed = ", sandbox: " + r.Sandbox
	}
	fmt.Fprintf(w, "\n%d of %d submissions passed everything, in %.1fs (%d at a time, isolation: %s%s)\n",
		countPassed(r.Submissions), len(r.Submissions), r.ElapsedSeconds, r.Jobs, r.Isolation, sandboxed)
	for _, s := range r.Submissions {
		fmt.Fprintf(w, "\n== %s (%s): %s/%s%s\n", s.Name, s.Component, Points(s.SheetPoints), Points(s.SheetMaxPoints), s.extraNote())
		s.writeTable(w)
	}
}

// extraNote gives the points beyond the lab sheet, which are counted
// apart from the sheet's.
func (s *SubmissionResult) extraNote() string {
	if s.ExtraMaxPoints == 0 {
		return ""
	}
	return fmt.Sprintf(", and %s/%s extra (beyond the sheet, counted apart)", Points(s.ExtraPoints), Points(s.ExtraMaxPoints))
}

// sheetPassed: everything the lab sheet asks for passed (an extra may
// have failed).
func (s *SubmissionResult) sheetPassed() bool {
	ok := s.Error == ""
	for _, sc := range s.Scenarios {
		ok = ok && sc.SheetPassed
	}
	return ok
}

// result is the submission's outcome in a word or three.
func (s *SubmissionResult) result() string { return outcome(s.Passed, s.sheetPassed()) }

// result is the scenario's outcome: a scenario all of whose checks are
// extra is labelled by its name.
func (sc *ScenarioResult) result() string {
	if sc.Extra {
		return passFail(sc.Passed)
	}
	return outcome(sc.Passed, sc.SheetPassed)
}

// outcome tells a failure of the sheet's part from one of extras only.
func outcome(passed, sheetPassed bool) string {
	switch {
	case passed:
		return "pass"
	case sheetPassed:
		return "pass, extra FAIL"
	}
	return "FAIL"
}

func (s *SubmissionResult) writeTable(w io.Writer) {
	if s.Error != "" {
		fmt.Fprintf(w, "  %s\n", indent(s.Error, "  "))
	}
	if s.Note != "" {
		fmt.Fprintf(w, "  (%s)\n", s.Note)
	}
	width, rwidth := len("scenario"), len("result")
	for _, sc := range s.Scenarios {
		width, rwidth = max(width, len(sc.Label())), max(rwidth, len(sc.result()))
	}
	fmt.Fprintf(w, "  %-*s  %-*s  %s\n", width, "scenario", rwidth, "result", "points")
	for _, sc := range s.Scenarios {
		fmt.Fprintf(w, "  %-*s  %-*s  %s\n", width, sc.Label(), rwidth, sc.result(), sc.pointsText())
		if sc.Error != "" && sc.Error != s.Error {
			fmt.Fprintf(w, "      %s\n", indent(sc.Error, "      "))
		}
		for _, n := range sc.Notes {
			fmt.Fprintf(w, "      (%s)\n", n)
		}
		for _, c := range sc.Checks {
			for _, e := range c.Evidence {
				fmt.Fprintf(w, "      %s: %s\n", c.Label(), e)
			}
		}
	}
}

// pointsText is the scenario's points as the text shows them: the
// sheet's, then the extras apart (an all-extra scenario's are its own,
// labelled by its name).
func (sc *ScenarioResult) pointsText() string {
	if sc.Extra {
		return ratio(sc.ExtraPoints, sc.ExtraMaxPoints)
	}
	pts := ratio(sc.SheetPoints, sc.SheetMaxPoints)
	if sc.ExtraMaxPoints > 0 {
		pts += fmt.Sprintf(" (extra %s/%s)", Points(sc.ExtraPoints), Points(sc.ExtraMaxPoints))
	}
	return pts
}

func passFail(passed bool) string {
	if passed {
		return "pass"
	}
	return "FAIL"
}

func countPassed(subs []*SubmissionResult) int {
	n := 0
	for _, s := range subs {
		if s.Passed {
			n++
		}
	}
	return n
}

// FirstLine is s up to its first newline.
func FirstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func indent(s, prefix string) string { return strings.ReplaceAll(s, "\n", "\n"+prefix) }

// WriteFiles writes report.json, junit.xml and Gradescope's results.json
// into dir: one results.json for a single submission, else one per
// submission in dir/NAME/results.json (Gradescope grades one at a time);
// and the pages, index.html and students/NAME.html (WriteHTML).
func (r *Report) WriteFiles(dir string) error {
	r.escape()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report directory: %w", err)
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("report.json: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("report.json: %w", err)
	}
	if data, err = xml.MarshalIndent(r.JUnit(), "", "  "); err != nil {
		return fmt.Errorf("junit.xml: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "junit.xml"), append([]byte(xml.Header), append(data, '\n')...), 0o644); err != nil {
		return fmt.Errorf("junit.xml: %w", err)
	}
	for _, s := range r.Submissions {
		path := filepath.Join(dir, "results.json")
		if len(r.Submissions) > 1 {
			path = filepath.Join(dir, safeName(s.Name), "results.json")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return fmt.Errorf("results.json: %w", err)
			}
		}
		data, err := json.MarshalIndent(s.Gradescope(), "", "  ")
		if err != nil {
			return fmt.Errorf("results.json: %w", err)
		}
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("results.json: %w", err)
		}
	}
	return r.WriteHTML(dir)
}

// safeName keeps a submission's name usable as a directory name.
func safeName(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == 0 || r == '\\' {
			return '_'
		}
		return r
	}, strings.TrimLeft(name, "."))
}

// JUnit is the report as JUnit XML: one testsuite per submission, one
// testcase per scenario; a failed scenario's evidence is its failure, a
// scenario that could not run properly (its component failed) an error.
type JUnit struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Time     string           `xml:"time,attr"`
	Suites   []JUnitTestSuite `xml:"testsuite"`
}

// JUnitTestSuite is one submission.
type JUnitTestSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []JUnitProperty `xml:"properties>property"`
	Cases      []JUnitTestCase `xml:"testcase"`
}

// JUnitProperty is a name and a value.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitTestCase is one scenario.
type JUnitTestCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *JUnitProblem `xml:"failure,omitempty"`
	Error     *JUnitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

// JUnitProblem is a failure or an error: a one-line message and the text.
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func seconds(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) }

// JUnit returns the report in JUnit's structure.
func (r *Report) JUnit() *JUnit {
	j := &JUnit{Name: "socklab check " + r.Role, Time: seconds(r.ElapsedSeconds)}
	for _, s := range r.Submissions {
		ts := JUnitTestSuite{Name: s.Name, Time: seconds(s.ElapsedSeconds), Timestamp: r.Started.UTC().Format("2006-01-02T15:04:05"),
			Properties: []JUnitProperty{{"component", s.Component}, {"points", Points(s.SheetPoints)}, {"max_points", Points(s.SheetMaxPoints)},
				{"extra_points", Points(s.ExtraPoints)}, {"extra_max_points", Points(s.ExtraMaxPoints)}}}
		for _, sc := range s.Scenarios {
			tc := JUnitTestCase{Name: sc.Label(), ClassName: r.Role + "." + s.Name, Time: seconds(sc.ElapsedSeconds),
				SystemOut: strings.Join(append([]string{fmt.Sprintf("%s points; seed %d%s", sc.pointsText(), sc.Seed, sc.extraChecks())}, sc.Notes...), "\n")}
			switch {
			case sc.Error != "":
				tc.Error = &JUnitProblem{Message: FirstLine(sc.Error), Type: "error", Text: sc.failure()}
				ts.Errors++
			case !sc.Passed && sc.SheetPassed:
				// Only checks beyond the sheet failed: said so in the
				// message and the type, for a tool that counts failures.
				tc.Failure = &JUnitProblem{Message: "[extra] " + FirstLine(sc.failure()), Type: "extra", Text: sc.failure()}
				ts.Failures++
			case !sc.Passed:
				msg := FirstLine(sc.failure())
				tc.Failure = &JUnitProblem{Message: msg, Type: "check", Text: sc.failure()}
				ts.Failures++
			}
			ts.Cases = append(ts.Cases, tc)
			ts.Tests++
		}
		j.Tests += ts.Tests
		j.Failures += ts.Failures
		j.Errors += ts.Errors
		j.Suites = append(j.Suites, ts)
	}
	return j
}

// Gradescope is an autograder's results.json (Gradescope's format): the
// score, and one test per scenario's part the sheet asks for and one per
// part beyond it.
//
// max_score is the sheet's points only: a submission doing all the sheet
// asks scores 100%. Gradescope has no field for extra credit; it totals
// the tests' scores and lets a score exceed the assignment's points. So
// an extra part is a test of its own, tagged "extra", with max_score 0 and
// the points it earned as its score: a bonus that can only add, shown
// apart, never a shortfall of a submission that did what the sheet asks.
// Its output says how many extra points it could have earned.
type Gradescope struct {
	Score            float64          `json:"score"`
	MaxScore         float64          `json:"max_score"`
	ExecutionTime    float64          `json:"execution_time"`
	Visibility       string           `json:"visibility"`
	StdoutVisibility string           `json:"stdout_visibility"`
	Output           string           `json:"output,omitempty"`
	Tests            []GradescopeTest `json:"tests"`
}

// GradescopeTest is a scenario's part the sheet asks for, or its part
// beyond the sheet (tags "extra", max_score 0).
type GradescopeTest struct {
	Name     string   `json:"name"`
	Score    float64  `json:"score"`
	MaxScore float64  `json:"max_score"`
	Status   string   `json:"status"`
	Output   string   `json:"output"`
	Tags     []string `json:"tags,omitempty"`
}

// extraChecks names the scenario's checks beyond the lab sheet, for a
// report's text ("" when there are none).
func (sc *ScenarioResult) extraChecks() string {
	var names []string
	for _, c := range sc.Checks {
		if c.Extra {
			names = append(names, fmt.Sprintf("%s %s/%s", c.Name, Points(c.Points), Points(c.MaxPoints)))
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "; extra, beyond the sheet: " + strings.Join(names, ", ")
}

// failureOf is the scenario's error and the evidence of its checks that
// are extra (or not), as text.
func (sc *ScenarioResult) failureOf(extra bool) string {
	var b strings.Builder
	if sc.Error != "" {
		b.WriteString(sc.Error)
		b.WriteByte('\n')
	}
	for _, c := range sc.Checks {
		if c.Extra != extra {
			continue
		}
		for _, e := range c.Evidence {
			fmt.Fprintf(&b, "%s: %s\n", c.Label(), e)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Gradescope returns the submission's grade as Gradescope's results.json.
func (s *SubmissionResult) Gradescope() *Gradescope {
	g := &Gradescope{Score: s.Points, MaxScore: s.SheetMaxPoints, ExecutionTime: s.ElapsedSeconds,
		Visibility: "visible", StdoutVisibility: "visible", Output: strings.TrimSpace(s.Error + "\n" + s.Note), Tests: []GradescopeTest{}}
	if s.ExtraMaxPoints > 0 {
		g.Output = strings.TrimSpace(g.Output + fmt.Sprintf("\nThe lab sheet's points: %s/%s. Extra, beyond the sheet, counted apart as a bonus: %s/%s.",
			Points(s.SheetPoints), Points(s.SheetMaxPoints), Points(s.ExtraPoints), Points(s.ExtraMaxPoints)))
	}
	status := func(passed bool) string {
		if passed {
			return "passed"
		}
		return "failed"
	}
	for _, sc := range s.Scenarios {
		if !sc.Extra {
			t := GradescopeTest{Name: sc.Name, Score: sc.SheetPoints, MaxScore: sc.SheetMaxPoints, Status: status(sc.SheetPassed), Output: sc.Description}
			if !sc.SheetPassed {
				t.Output = strings.TrimSpace(sc.Description + "\n\n" + sc.failureOf(false))
			}
			g.Tests = append(g.Tests, t)
		}
		if sc.ExtraMaxPoints > 0 {
			passed := true
			for _, c := range sc.Checks {
				passed = passed && (!c.Extra || c.Passed)
			}
			passed = passed && sc.Error == ""
			t := GradescopeTest{Name: sc.Name + " [extra]", Score: sc.ExtraPoints, Status: status(passed), Tags: []string{"extra"},
				Output: fmt.Sprintf("Extra credit, beyond the lab sheet: %s of %s points (%s)", Points(sc.ExtraPoints), Points(sc.ExtraMaxPoints), strings.TrimPrefix(sc.extraChecks(), "; extra, beyond the sheet: "))}
			if sc.Extra {
				t.Output = strings.TrimSpace(sc.Description + "\n" + t.Output)
			}
			if !passed {
				t.Output += "\n\n" + sc.failureOf(true)
			}
			g.Tests = append(g.Tests, t)
		}
	}
	return g
}

// Printable is s with every control character but newline and tab
// written as an escape (\x1b): a submission's output cannot drive the
// terminal or the viewer a report is read in.
func Printable(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			fmt.Fprintf(&b, `\x%02x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isControl(r rune) bool {
	return r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0))
}
