package main

// socklab check, end to end: the real binary grades the corpus of wrong
// components under host/check/testdata, each in its own network namespace,
// and writes its reports.

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// gradeGuard bounds a whole grading run; it is a failure guard only.
const gradeGuard = 10 * time.Minute

// waitLong waits for a host that may run for longer than guard.
func (h *host) waitLong(t *testing.T) hostRun {
	t.Helper()
	select {
	case <-h.done:
	case <-time.After(gradeGuard):
		h.cmd.Process.Kill()
		t.Fatalf("socklab check did not end; stderr:\n%s", h.stderr)
	}
	return h.wait(t)
}

// gradedReport is report.json as a test reads it.
type gradedReport struct {
	Passed         bool    `json:"passed"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	Isolation      string  `json:"isolation"`
	Sandbox        string  `json:"sandbox"`
	Jobs           int     `json:"jobs"`
	Submissions    []struct {
		Name           string  `json:"name"`
		Component      string  `json:"component"`
		Error          string  `json:"error"`
		Points         float64 `json:"points"`
		MaxPoints      float64 `json:"max_points"`
		SheetMaxPoints float64 `json:"sheet_max_points"`
		SheetPoints    float64 `json:"sheet_points"`
		Scenarios      []struct {
			Name   string `json:"name"`
			Passed bool   `json:"passed"`
			Error  string `json:"error"`
			Checks []struct {
				Name     string   `json:"name"`
				Evidence []string `json:"evidence"`
			} `json:"checks"`
		} `json:"scenarios"`
	} `json:"submissions"`
}

func readReport(t *testing.T, dir string) gradedReport {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r gradedReport
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	return r
}

// failedScenarios maps each submission to its failed scenarios, sorted
// and joined ("" when it passed everything).
func (r gradedReport) failedScenarios() map[string]string {
	out := map[string]string{}
	for _, s := range r.Submissions {
		var failed []string
		for _, sc := range s.Scenarios {
			if !sc.Passed {
				failed = append(failed, sc.Name)
			}
		}
		sort.Strings(failed)
		out[s.Name] = strings.Join(failed, " ")
	}
	return out
}

// details is one submission's evidence, for a test failure.
func (r gradedReport) details(name string) string {
	var b strings.Builder
	for _, s := range r.Submissions {
		if s.Name != name {
			continue
		}
		fmt.Fprintf(&b, "%s (%s) %s\n", s.Name, s.Component, s.Error)
		for _, sc := range s.Scenarios {
			fmt.Fprintf(&b, "  %s passed=%v %s\n", sc.Name, sc.Passed, sc.Error)
			for _, c := range sc.Checks {
				for _, e := range c.Evidence {
					fmt.Fprintf(&b, "    %s: %s\n", c.Name, e)
				}
			}
		}
	}
	return b.String()
}

// expectFailures compares what each submission failed with want.
func expectFailures(t *testing.T, r gradedReport, want map[string]string) {
	t.Helper()
	got := r.failedScenarios()
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("no row for %s", name)
			continue
		}
		if g != w {
			t.Errorf("%s failed [%s], want [%s]\n%s", name, g, w, r.details(name))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d: %v", len(got), len(want), got)
	}
}

// checkReportFiles checks junit.xml and the Gradescope results of a
// directory run: they parse, and their counts agree with report.json.
func checkReportFiles(t *testing.T, dir string, r gradedReport) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Tests  int `xml:"tests,attr"`
		Suites []struct {
			Name  string `xml:"name,attr"`
			Tests int    `xml:"tests,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
				Error   *struct{} `xml:"error"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &j); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	failed := r.failedScenarios()
	for _, s := range j.Suites {
		var bad []string
		for _, c := range s.Cases {
			if c.Failure != nil || c.Error != nil {
				// A scenario beyond the lab sheet is labelled so.
				bad = append(bad, strings.TrimSuffix(c.Name, " [extra]"))
			}
		}
		sort.Strings(bad)
		if strings.Join(bad, " ") != failed[s.Name] {
			t.Errorf("junit.xml: %s failed %v, report.json says [%s]", s.Name, bad, failed[s.Name])
		}
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Submissions {
		if !strings.Contains(string(index), fmt.Sprintf(`href="students/%s.html"`, s.Name)) {
			t.Errorf("index.html has no row for %s", s.Name)
		}
		if _, err := os.Stat(filepath.Join(dir, "students", s.Name+".html")); err != nil {
			t.Errorf("no page for %s: %v", s.Name, err)
		}
	}
	if len(j.Suites) != len(r.Submissions) {
		t.Errorf("junit.xml has %d testsuites for %d submissions", len(j.Suites), len(r.Submissions))
	}
	for _, s := range r.Submissions {
		path := filepath.Join(dir, "results.json")
		if len(r.Submissions) > 1 {
			path = filepath.Join(dir, s.Name, "results.json")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var g struct {
			Score    *float64 `json:"score"`
			MaxScore *float64 `json:"max_score"`
			Tests    []struct {
				Score  float64 `json:"score"`
				Status string  `json:"status"`
			} `json:"tests"`
		}
		if err := json.Unmarshal(data, &g); err != nil || g.Score == nil || g.MaxScore == nil {
			t.Fatalf("%s: %v\n%s", path, err, data)
		}
		sum := 0.0
		for _, test := range g.Tests {
			sum += test.Score
		}
		// The score is every point earned, extras a bonus; the most is
		// the sheet's.
		if *g.Score != s.Points || sum != s.Points || *g.MaxScore != s.SheetMaxPoints {
			t.Errorf("%s: score %v (tests add to %v) of %v; report.json says %v, the sheet's most %v", path, *g.Score, sum, *g.MaxScore, s.Points, s.SheetMaxPoints)
		}
	}
}

// student makes a student's directory holding files (name to content).
func student(t *testing.T, root, name string, files map[string]string) {
	t.Helper()
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for file, content := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, file)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tableHas reports whether a line of out holds want, spaces aside.
func tableHas(out, want string) bool {
	want = strings.Join(strings.Fields(want), " ")
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(strings.Join(strings.Fields(line), " "), want) {
			return true
		}
	}
	return false
}

func readCorpus(t *testing.T, parts ...string) string {
	t.Helper()
	data, err := os.ReadFile(corpus(t, parts...))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// goStudent is a Go plugin of the corpus as a student hands it in: the
// files of its own directory (a submission.hcl may not name another),
// with the corpus's helper package as a package of its own.
func goStudent(t *testing.T, role, name string) map[string]string {
	t.Helper()
	files := map[string]string{"main.go": strings.ReplaceAll(readCorpus(t, role, name, "main.go"),
		"github.com/socklab/socklab/host/check/testdata/internal/student", "socklab-plugin/student")}
	for _, f := range []string{"doc.go", "ping.go", "random.go", "heartbeat.go", "web.go"} {
		files["student/"+f] = readCorpus(t, "internal/student", f)
	}
	return files
}

// TestCheckGradesTwentySubmissions grades a class of twenty ping clients:
// Go plugins with one mistake each, plain Python programs as students hand
// them in, the reference, one that does not build, one that crashes and
// one with nothing to run. Each fails exactly the scenarios its mistake
// touches; the reports agree; the wall time is logged.
func TestCheckGradesTwentySubmissions(t *testing.T) {
	requireDebianPython(t)
	class := t.TempDir()
	goPlugin := func(name string) map[string]string { return goStudent(t, "ping_client", name) }
	good := readCorpus(t, "ping_client/python_good/UDPPingerClient.py")
	naive := readCorpus(t, "ping_client/python_naive/UDPPingerClient.py")
	ctime := readCorpus(t, "ping_client/python_ctime/UDPPingerClient.py")
	want := map[string]string{}
	add := func(name string, files map[string]string, fails string) {
		student(t, class, name, files)
		want[name] = fails
	}
	all := "clean late_replies lossy rtt slow_replies"
	add("go_good", goPlugin("go_good"), "")
	add("wrong_format", goPlugin("wrong_format"), "clean")
	add("no_timeout", goPlugin("no_timeout"), "late_replies lossy")
	add("timeout_5s", goPlugin("timeout_5s"), "late_replies lossy")
	add("swapped_minmax", goPlugin("swapped_minmax"), "lossy rtt")
	add("loss_over_received", goPlugin("loss_over_received"), "lossy")
	add("late_as_next", goPlugin("late_as_next"), "late_replies")
	add("reference", map[string]string{"submission.hcl": "plugin {\n  builtin = true\n}\n"}, all) // not the student's code
	for _, name := range []string{"python_good", "ana", "ben", "cleo"} {
		add(name, map[string]string{"UDPPingerClient.py": good}, "")
	}
	for _, name := range []string{"python_naive", "dan", "eve"} {
		add(name, map[string]string{"UDPPingerClient.py": naive}, "late_replies lossy rtt")
	}
	// The sheet fixes no format for the time in "Ping sequence_number
	// time": a ctime() string is one.
	for _, name := range []string{"python_ctime", "zed"} {
		add(name, map[string]string{"UDPPingerClient.py": ctime}, "")
	}
	add("broken_build", map[string]string{"main.go": "package main\n\nfunc main() {\n"}, all)
	add("crashes", map[string]string{"client.py": "import socket\nraise SystemExit('cannot find my server')\n"}, all)
	add("empty", map[string]string{"README.txt": "I will hand it in tomorrow.\n"}, all)
	if len(want) != 20 {
		t.Fatalf("%d students, want 20", len(want))
	}

	reports := t.TempDir()
	start := time.Now()
	r := startHostIn(t, "", nil, "check", "--role", "ping_client", "--jobs", "8", "--report", reports, class).waitLong(t)
	wall := time.Since(start)
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1 (some failed)\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	report := readReport(t, reports)
	expectFailures(t, report, want)
	checkReportFiles(t, reports, report)
	for _, s := range report.Submissions {
		switch s.Name {
		case "broken_build":
			if !strings.Contains(s.Error, "does not build") {
				t.Errorf("broken_build: error %q", s.Error)
			}
		case "empty":
			if !strings.Contains(s.Error, "found no submission.hcl, Go main package or Python program") {
				t.Errorf("empty: error %q", s.Error)
			}
		case "reference":
			if !strings.Contains(s.Error, "submission.hcl:2:3: error: Not the student's code") {
				t.Errorf("reference: error %q", s.Error)
			}
		}
	}
	for _, w := range []string{"student points extra scenarios result", "go_good 16/16 2/2 5/5 pass", "empty 0/16 0/2 0/5 FAIL found no submission.hcl",
		"7 of 20 submissions passed everything", "== late_as_next"} {
		if !tableHas(r.stdout, w) {
			t.Errorf("the table lacks %q:\n%s", w, r.stdout)
		}
	}
	t.Logf("graded 20 ping clients in %s wall (report: %.1fs, %d at a time, isolation %s)", wall.Round(100*time.Millisecond), report.ElapsedSeconds, report.Jobs, report.Isolation)
}

// TestCheckCorpus grades the other roles' corpora: each wrong component
// fails exactly the scenarios it should, and the good ones pass.
func TestCheckCorpus(t *testing.T) {
	requireDebianPython(t)
	tests := []struct {
		role string
		want map[string]string
	}{
		{"ping_server", map[string]string{"not_upper": "echo", "dies_on_junk": "junk", "python_sheet": "", "python_decode": "junk"}},
		{"heartbeat_server", map[string]string{"go_good": "", "never_down": "down", "python_monitor": ""}},
		{"web_server", map[string]string{"go_good": "", "blocking": "concurrency", "traversal": "traversal",
			"python_sheet": "concurrency malformed ok traversal"}},
		{"heartbeat_client", map[string]string{"python_beat": ""}},
		{"web_client", map[string]string{"python_client": ""}},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			t.Parallel()
			reports := t.TempDir()
			r := startHostIn(t, "", nil, "check", "--role", tt.role, "--jobs", "4", "--report", reports, corpus(t, tt.role)).waitLong(t)
			wantExit := 0
			for _, fails := range tt.want {
				if fails != "" {
					wantExit = 1
				}
			}
			if r.exit != wantExit {
				t.Errorf("exit %d, want %d\n%s\n%s", r.exit, wantExit, r.stdout, r.stderr)
			}
			report := readReport(t, reports)
			expectFailures(t, report, tt.want)
			checkReportFiles(t, reports, report)
		})
	}
}

// TestCheckOneComponent names one component in each way the command
// line allows, and checks the exit status and the table.
func TestCheckOneComponent(t *testing.T) {
	requireDebianPython(t)
	client := corpus(t, "web_client/python_client/client.py")
	tests := []struct {
		name string
		args []string
		exit int
		want []string
	}{
		{"a command after --", []string{"--role", "web_client", "--", debianPython, client}, 0,
			[]string{"web_client suite against client (program " + debianPython + " " + client + ")", "fetch pass 4/4", "pass: 8/8 points"}},
		{"a quoted command", []string{"--role", "web_client", debianPython + " " + client}, 0, []string{"pass: 8/8 points"}},
		{"a Python file, graded on the host's network", []string{"--role", "web_client", "--isolation", "none", client}, 0, []string{"pass: 8/8"}},
		{"a user namespace", []string{"--role", "web_client", "--isolation", "userns", client}, 0, []string{"pass: 8/8"}},
		{"the reference as a plugin command", []string{"--role", "web_client", "--sandbox", "off", "--", "sh", "-c", "exec \"$SOCKLAB\" plugin"}, 0, []string{"pass: 8/8"}},
		{"a failing Go plugin", []string{"--role", "web_server", corpus(t, "web_server/traversal")}, 1,
			[]string{"traversal [extra] FAIL 0/1", "traversal [extra]: GET /../secret.txt: \"HTTP/1.1 200 OK\" with the content of secret.txt"}},
	}
	bin, err := hostBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startHostIn(t, "", []string{"SOCKLAB=" + bin}, append([]string{"check"}, tt.args...)...).waitLong(t)
			if r.exit != tt.exit {
				t.Fatalf("exit %d, want %d\n%s\n%s", r.exit, tt.exit, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !tableHas(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

// TestCheckUsageMistakes: a wrong command line or suite is exit 2 and says
// why, before anything runs.
func TestCheckUsageMistakes(t *testing.T) {
	badSuite := writeLab(t, "suite {\n  role = \"ping_client\"\n}\nscenario \"x\" {\n  check \"speed\" {}\n}\n")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no role", []string{"."}, "say which role to grade with --role"},
		{"unknown role", []string{"--role", "pinger", "."}, "No built-in suite"},
		{"no component", []string{"--role", "ping_client"}, "name a component to grade"},
		{"a missing component", []string{"--role", "ping_client", "/no/such/dir"}, "/no/such/dir: no such file or directory"},
		{"a wrong suite", []string{"--suite", badSuite, "."}, "lab.hcl:5:9: error: Unknown check"},
		{"suite and role disagree", []string{"--suite", badSuite, "--role", "web_server", "."}, "Unknown check"},
		{"bad isolation", []string{"--role", "ping_client", "--isolation", "chroot", "."}, "--isolation is auto, netns, userns or none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := startHostIn(t, "", nil, append([]string{"check"}, tt.args...)...).wait(t)
			if r.exit != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, want 2 and %q in stderr:\n%s", r.exit, tt.want, r.stderr)
			}
		})
	}
	r := startHostIn(t, "", nil, "check", "--role", "heartbeat_server", "--show-suite").wait(t)
	if r.exit != 0 || !strings.HasPrefix(r.stdout, "# The UDP Heartbeat server") || !strings.Contains(r.stdout, `check "lost"`) {
		t.Errorf("--show-suite: exit %d\n%s", r.exit, r.stdout)
	}
}

// TestCheckStopsAHungSubmission: a submission that hangs (it ignores
// SIGTERM and leaves a process of its own behind in a new session) is
// stopped at --timeout, with everything it started; the submission graded
// beside it is not disturbed.
func TestCheckStopsAHungSubmission(t *testing.T) {
	requireDebianPython(t)
	class := t.TempDir()
	student(t, class, "hangs", map[string]string{"client.py": `import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.fork() == 0:
    os.setsid()  # out of its process group: only its namespace holds it
    time.sleep(600)
time.sleep(600)
`})
	student(t, class, "good", map[string]string{"client.py": readCorpus(t, "web_client/python_client/client.py")})
	reports := t.TempDir()
	r := startHostIn(t, "", nil, "check", "--role", "web_client", "--timeout", "5s", "--jobs", "2", "--report", reports, class).waitLong(t)
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	report := readReport(t, reports)
	expectFailures(t, report, map[string]string{"good": "", "hangs": "big fetch not_found"})
	for _, w := range []string{"good 8/8 3/3 pass", "hangs 0/8 0/3 FAIL did not finish within 5s (--timeout); stopped"} {
		if !tableHas(r.stdout, w) {
			t.Errorf("the table lacks %q:\n%s", w, r.stdout)
		}
	}
	// Cleanup checks that no process is left, the forked one included.
}
