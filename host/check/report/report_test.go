package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
)

// sampleReport is two students: one who passed everything, one who failed
// a check and crashed in a scenario, and one whose code does not build.
func sampleReport() *Report {
	alice := &SubmissionResult{Name: "alice", Component: "go /subs/alice", ElapsedSeconds: 12.5, Scenarios: []*ScenarioResult{
		{Name: "clean", Points: 5, MaxPoints: 5, Passed: true, Seed: 1, Checks: []CheckResult{{Name: "count", Points: 5, MaxPoints: 5, Passed: true}}},
		{Name: "lossy", Points: 4, MaxPoints: 4, Passed: true, Seed: 4, Checks: []CheckResult{{Name: "timeouts", Points: 4, MaxPoints: 4, Passed: true}}},
	}}
	bob := &SubmissionResult{Name: "bob", Component: "program /usr/bin/python3 UDPPingerClient.py", ElapsedSeconds: 20, Scenarios: []*ScenarioResult{
		{Name: "clean", Points: 3, MaxPoints: 5, Description: "Ten pings.", Checks: []CheckResult{
			{Name: "count", Points: 3, MaxPoints: 3, Passed: true},
			{Name: "message_format", MaxPoints: 2, Evidence: []string{`datagram 1 "ping 1" is not "Ping <seq> <time>"`, "& <and> \"quotes\""}}}},
		{Name: "lossy", MaxPoints: 4, Error: "ended with exit status 1; last output:\nTraceback", Checks: []CheckResult{{Name: "timeouts", MaxPoints: 4, Passed: true}}},
	}}
	carol := Failed("carol", lab.PluginSpec{}.String(), "does not build:\n./main.go:3:1: syntax error",
		&suite.Suite{Scenarios: []*suite.Scenario{{Name: "clean", Checks: []suite.CheckSpec{{Points: 5}}}, {Name: "lossy", Checks: []suite.CheckSpec{{Points: 4}}}}})
	r := &Report{Suite: "builtin:ping_client", Role: "ping_client", Started: time.Unix(1764147583, 0), ElapsedSeconds: 33, Isolation: "netns", Sandbox: "on", Jobs: 2,
		Submissions: []*SubmissionResult{alice, bob, carol}}
	for _, s := range r.Submissions {
		s.Total()
	}
	r.Total()
	return r
}

// junitSchema is JUnit XML's structure as CI systems read it, written out
// here on its own rather than taken from the writer's types.
type junitSchema struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Time       string `xml:"time,attr"`
		Timestamp  string `xml:"timestamp,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			ClassName string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// checkJUnit validates a junit.xml: it parses into JUnit's structure and
// its counts add up.
func checkJUnit(t *testing.T, data []byte) junitSchema {
	t.Helper()
	if !bytes.HasPrefix(data, []byte(xml.Header)) {
		t.Errorf("junit.xml does not start with the XML header")
	}
	var j junitSchema
	if err := xml.Unmarshal(data, &j); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, data)
	}
	tests, failures, errors := 0, 0, 0
	for _, s := range j.Suites {
		f, e := 0, 0
		for _, c := range s.Cases {
			if c.Name == "" || c.ClassName == "" || c.Time == "" {
				t.Errorf("testcase without name, classname or time: %+v", c)
			}
			if c.Failure != nil {
				f++
				if c.Failure.Message == "" || c.Failure.Text == "" {
					t.Errorf("failure without message or text in %s/%s", s.Name, c.Name)
				}
			}
			if c.Error != nil {
				e++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Name == "" || s.Timestamp == "" {
			t.Errorf("testsuite %s says %d tests, %d failures, %d errors; it holds %d, %d, %d", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), f, e)
		}
		tests, failures, errors = tests+s.Tests, failures+s.Failures, errors+s.Errors
	}
	if j.Tests != tests || j.Failures != failures || j.Errors != errors {
		t.Errorf("testsuites says %d/%d/%d, its suites add up to %d/%d/%d", j.Tests, j.Failures, j.Errors, tests, failures, errors)
	}
	return j
}

// checkGradescope validates a results.json in Gradescope's format: its
// keys, statuses, and a score that is the sum of its tests'.
func checkGradescope(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var g map[string]any
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("results.json: %v", err)
	}
	for _, key := range []string{"score", "max_score", "execution_time", "visibility", "tests"} {
		if _, ok := g[key]; !ok {
			t.Errorf("results.json lacks %q: %s", key, data)
		}
	}
	if v := g["visibility"]; v != "visible" && v != "hidden" && v != "after_due_date" && v != "after_published" {
		t.Errorf("visibility %v", v)
	}
	score, max := 0.0, 0.0
	for _, raw := range g["tests"].([]any) {
		test := raw.(map[string]any)
		for _, key := range []string{"name", "score", "max_score", "status", "output"} {
			if _, ok := test[key]; !ok {
				t.Errorf("a test lacks %q: %v", key, test)
			}
		}
		if s := test["status"]; s != "passed" && s != "failed" {
			t.Errorf("test status %v", s)
		}
		score += test["score"].(float64)
		max += test["max_score"].(float64)
	}
	if g["score"] != score || g["max_score"] != max {
		t.Errorf("score %v of %v, but the tests add up to %v of %v", g["score"], g["max_score"], score, max)
	}
	return g
}

func TestReportFiles(t *testing.T) {
	r := sampleReport()
	dir := t.TempDir()
	if err := r.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	j := checkJUnit(t, data)
	if len(j.Suites) != 3 || j.Tests != 6 || j.Failures != 1 || j.Errors != 3 {
		t.Errorf("junit: %d suites, %d tests, %d failures, %d errors", len(j.Suites), j.Tests, j.Failures, j.Errors)
	}
	bobClean := j.Suites[1].Cases[0]
	if bobClean.Failure == nil || !strings.Contains(bobClean.Failure.Text, `message_format: datagram 1 "ping 1"`) || !strings.Contains(bobClean.Failure.Text, `& <and> "quotes"`) {
		t.Errorf("bob's failure %+v", bobClean.Failure)
	}
	if e := j.Suites[1].Cases[1].Error; e == nil || e.Message != "ended with exit status 1; last output:" {
		t.Errorf("bob's error %+v", e)
	}

	for _, name := range []string{"alice", "bob", "carol"} {
		data, err := os.ReadFile(filepath.Join(dir, name, "results.json"))
		if err != nil {
			t.Fatal(err)
		}
		g := checkGradescope(t, data)
		if name == "bob" && (g["score"] != 3.0 || g["max_score"] != 9.0) {
			t.Errorf("bob's score %v of %v", g["score"], g["max_score"])
		}
		if name == "carol" && !strings.Contains(g["output"].(string), "does not build") {
			t.Errorf("carol's output %v", g["output"])
		}
	}

	var back Report
	data, _ = os.ReadFile(filepath.Join(dir, "report.json"))
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Points != 12 || back.MaxPoints != 27 || back.Passed || len(back.Submissions) != 3 || back.Submissions[1].Scenarios[0].Checks[1].Evidence[0] == "" {
		t.Errorf("report.json: %+v", back)
	}
	var keys map[string]any
	json.Unmarshal(data, &keys)
	for _, k := range []string{"suite", "role", "started", "elapsed_seconds", "isolation", "sandbox", "jobs", "points", "max_points", "passed", "submissions"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("report.json lacks %q", k)
		}
	}
}

func TestOneSubmissionReport(t *testing.T) {
	r := sampleReport()
	r.Submissions = r.Submissions[1:2]
	r.Total()
	dir := t.TempDir()
	if err := r.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		t.Fatalf("one submission's results.json is not at the top: %v", err)
	}
	checkGradescope(t, data)
	var b strings.Builder
	r.WriteText(&b)
	for _, w := range []string{"ping_client suite against bob (program /usr/bin/python3 UDPPingerClient.py)",
		"  clean     FAIL    3/5", `      message_format: datagram 1 "ping 1" is not`, "      ended with exit status 1; last output:\n      Traceback", "FAIL: 3/9 points"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, b.String())
		}
	}
}

func TestManySubmissionsText(t *testing.T) {
	var b strings.Builder
	sampleReport().WriteText(&b)
	for _, w := range []string{"student  points     scenarios  result", "alice    9/9        2/2        pass", "bob      3/9        0/2        FAIL",
		"carol    0/9        0/2        FAIL  does not build:", "1 of 3 submissions passed everything, in 33.0s (2 at a time, isolation: netns, sandbox: on)", "== bob (program /usr/bin/python3 UDPPingerClient.py): 3/9"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, b.String())
		}
	}
}

// TestExtraLabelled: checks beyond the lab sheet are labelled as such in
// the text, report.json, JUnit XML and Gradescope's results.json, and
// their points are counted apart.
func TestExtraLabelled(t *testing.T) {
	dana := &SubmissionResult{Name: "dana", Component: "program /usr/bin/python3 WebServer.py", Scenarios: []*ScenarioResult{
		{Name: "ok", Points: 3, MaxPoints: 4, Checks: []CheckResult{
			{Name: "ok", Points: 3, MaxPoints: 3, Passed: true},
			{Name: "headers", MaxPoints: 1, Extra: true, Evidence: []string{"no Content-Length"}}}},
		{Name: "concurrency", Points: 2, MaxPoints: 2, Passed: true, Checks: []CheckResult{{Name: "concurrent", Points: 2, MaxPoints: 2, Passed: true, Extra: true}}},
	}}
	r := &Report{Suite: "builtin:web_server", Role: "web_server", Submissions: []*SubmissionResult{dana}}
	dana.Total()
	r.Total()
	if dana.ExtraPoints != 2 || dana.ExtraMaxPoints != 3 || dana.Scenarios[0].Extra || !dana.Scenarios[1].Extra {
		t.Errorf("extra %v/%v, scenarios extra %v %v", dana.ExtraPoints, dana.ExtraMaxPoints, dana.Scenarios[0].Extra, dana.Scenarios[1].Extra)
	}
	var b strings.Builder
	r.WriteText(&b)
	// dana did all the sheet asks: 3/3, whatever the extras say.
	for _, w := range []string{"headers [extra]: no Content-Length", "ok                   pass, extra FAIL  3/3 (extra 0/1)", "concurrency [extra]  pass              2/2",
		"pass, extra FAIL: 3/3 points, and 2/3 extra (beyond the sheet, counted apart)"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text lacks %q:\n%s", w, b.String())
		}
	}
	dir := t.TempDir()
	if err := r.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "junit.xml"))
	j := checkJUnit(t, data)
	if c := j.Suites[0].Cases; c[1].Name != "concurrency [extra]" || !strings.Contains(string(data), "extra, beyond the sheet: headers 0/1") ||
		!strings.Contains(c[0].Failure.Text, "headers [extra]: no Content-Length") || c[0].Failure.Type != "extra" || !strings.HasPrefix(c[0].Failure.Message, "[extra] ") ||
		!strings.Contains(string(data), `name="max_points" value="3"`) || !strings.Contains(string(data), `name="extra_max_points" value="3"`) {
		t.Errorf("junit does not label the extras, or counts them with the sheet:\n%s", data)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "results.json"))
	g := checkGradescope(t, data)
	// The sheet's points are the total; each extra part is a test of its
	// own, tagged, its points a bonus (max_score 0).
	type gsTest struct {
		name, status string
		score, max   float64
		extra        bool
	}
	var got []gsTest
	for _, x := range g["tests"].([]any) {
		m := x.(map[string]any)
		tags, _ := m["tags"].([]any)
		got = append(got, gsTest{m["name"].(string), m["status"].(string), m["score"].(float64), m["max_score"].(float64), len(tags) == 1 && tags[0] == "extra"})
	}
	wantTests := []gsTest{{"ok", "passed", 3, 3, false}, {"ok [extra]", "failed", 0, 0, true}, {"concurrency [extra]", "passed", 2, 0, true}}
	if g["score"] != 5.0 || g["max_score"] != 3.0 || fmt.Sprint(got) != fmt.Sprint(wantTests) || !strings.Contains(string(data), "headers [extra]: no Content-Length") {
		t.Errorf("results.json: score %v of %v, tests %v, want 5 of 3 and %v:\n%s", g["score"], g["max_score"], got, wantTests, data)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "students", "dana.html"))
	for _, w := range []string{`<h1>dana: 3/3 points</h1>`, `>pass, extra FAIL</span> 3/3 (extra 0/1)</h2>`, "and 2/3 extra"} {
		if !strings.Contains(string(data), w) {
			t.Errorf("dana.html lacks %q", w)
		}
	}
	data, _ = os.ReadFile(filepath.Join(dir, "report.json"))
	var back Report
	if err := json.Unmarshal(data, &back); err != nil || !back.Submissions[0].Scenarios[0].Checks[1].Extra || back.Submissions[0].ExtraMaxPoints != 3 ||
		back.Submissions[0].SheetMaxPoints != 3 || back.Submissions[0].SheetPoints != 3 || back.SheetMaxPoints != 3 || !back.Submissions[0].Scenarios[0].SheetPassed {
		t.Errorf("report.json does not keep extra: %v %s", err, data)
	}
}

// TestReportsShowEscapes: a submission's output quoted in an error or in
// evidence reaches no report with its control characters or invalid
// UTF-8: each file and the text show them escaped.
func TestReportsShowEscapes(t *testing.T) {
	r := sampleReport()
	bob := r.Submissions[1]
	bob.Name = "bob\x1b]0;title\x07"
	bob.Scenarios[1].Error = "ended with exit status 1; last output: \x1b[2J\xff cleared\nsecond line"
	bob.Scenarios[0].Checks[1].Evidence[0] = "datagram 1 \"\x1b[31mred\x00\" is not \"Ping <seq> <time>\""
	dir := t.TempDir()
	if err := r.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	r.WriteText(&text)
	files := map[string][]byte{"text": text.Bytes()}
	for _, name := range []string{"report.json", "junit.xml", filepath.Join(safeName(bob.Name), "results.json")} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	for name, data := range files {
		shown := string(data)
		if strings.HasSuffix(name, ".json") {
			// What a reader of the JSON sees: its strings, decoded.
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			shown = strings.Join(jsonStrings(v), "\n")
		}
		if strings.ContainsAny(shown, "\x1b\x07\x00") || !utf8.ValidString(shown) || !strings.Contains(shown, `\x1b[2J\xff cleared`) {
			t.Errorf("%s shows:\n%s", name, shown)
		}
	}
	if !strings.Contains(string(files["text"]), "\n      second line") {
		t.Errorf("the error's lines are not kept:\n%s", files["text"])
	}
}

// jsonStrings lists every string in a decoded JSON value.
func jsonStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var all []string
		for _, e := range v {
			all = append(all, jsonStrings(e)...)
		}
		return all
	case map[string]any:
		var all []string
		for _, e := range v {
			all = append(all, jsonStrings(e)...)
		}
		return all
	}
	return nil
}

// TestExtraScenarioErrorLeavesTheSheet: a scenario that holds only extra
// checks cannot fail the sheet, even when the program crashed in it (the
// sheet's UDPPingerServer.py dies on a datagram that is not UTF-8).
func TestExtraScenarioErrorLeavesTheSheet(t *testing.T) {
	for _, tc := range []struct {
		name        string
		junk        *ScenarioResult
		sheetPassed bool
		result      string
	}{
		{"extra scenario failed with an error", &ScenarioResult{Name: "junk", MaxPoints: 2, Error: "ended while the lab was running",
			Checks: []CheckResult{{Name: "survives_junk", MaxPoints: 2, Extra: true}}}, true, "pass, extra FAIL"},
		{"mixed scenario failed with an error", &ScenarioResult{Name: "junk", MaxPoints: 3, Error: "ended while the lab was running",
			Checks: []CheckResult{{Name: "echo_upper", MaxPoints: 1, Passed: true}, {Name: "survives_junk", MaxPoints: 2, Extra: true}}}, false, "FAIL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kim := &SubmissionResult{Name: "kim", Scenarios: []*ScenarioResult{
				{Name: "echo", Points: 2, MaxPoints: 2, Passed: true, Checks: []CheckResult{{Name: "echo_upper", Points: 2, MaxPoints: 2, Passed: true}}},
				tc.junk,
			}}
			kim.Total()
			if got := tc.junk.SheetPassed; got != tc.sheetPassed {
				t.Errorf("the junk scenario's SheetPassed is %v, want %v", got, tc.sheetPassed)
			}
			if got := kim.result(); got != tc.result {
				t.Errorf("kim's result is %q, want %q", got, tc.result)
			}
		})
	}
}
