package check

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/socklab/socklab/host/check/report"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/proto/roles"
)

// expectedGrade is one line of testdata/students/GRADES.
type expectedGrade struct {
	role, name string
	points     map[string]float64 // by scenario
	reason     string
	line       int
}

// readGrades reads testdata/students/GRADES: per student "ROLE/NAME
// SCENARIO=POINTS... | reason".
func readGrades(t *testing.T) []expectedGrade {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "students", "GRADES"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []expectedGrade
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		grades, reason, ok := strings.Cut(line, "|")
		fields := strings.Fields(grades)
		role, name, ok2 := strings.Cut(fields[0], "/")
		if !ok || !ok2 || strings.TrimSpace(reason) == "" {
			t.Fatalf("GRADES:%d: want ROLE/NAME SCENARIO=POINTS... | reason", n)
		}
		g := expectedGrade{role: role, name: name, points: map[string]float64{}, reason: strings.TrimSpace(reason), line: n}
		for _, f := range fields[1:] {
			sc, p, _ := strings.Cut(f, "=")
			v, err := strconv.ParseFloat(p, 64)
			if err != nil {
				t.Fatalf("GRADES:%d: %q is not SCENARIO=POINTS", n, f)
			}
			g.points[sc] = v
		}
		out = append(out, g)
	}
	return out
}

// TestStudentCorpus grades the students' programs of testdata/students
// (written from the lab sheet, as students write them: hard-coded ports,
// endless loops, no SO_REUSEADDR, their own words) as `socklab check`
// does, each twice, and compares every scenario's points with GRADES,
// where each grade is judged from the sheet.
func TestStudentCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("grades every student twice: minutes")
	}
	plainStudent(t, "ping_client", "amal", "UDPPingerClient.py") // skips without python3
	want := readGrades(t)
	byRole := map[string]map[string]expectedGrade{}
	for _, g := range want {
		if byRole[g.role] == nil {
			byRole[g.role] = map[string]expectedGrade{}
		}
		byRole[g.role][g.name] = g
	}
	dirs, _ := filepath.Glob(filepath.Join("testdata", "students", "*", "*"))
	if len(dirs) < 30 || len(dirs) != len(want) {
		t.Errorf("%d students in testdata/students and %d lines in GRADES; want the same, at least 30", len(dirs), len(want))
	}
	var roles []string
	for role := range byRole {
		roles = append(roles, role)
	}
	// The roles are graded as parallel subtests, as many at once as go
	// test's -parallel (GOMAXPROCS) allows, each 2 submissions at a time:
	// on 2 cores, 4 children at once as before, but a role's last slow
	// submission no longer holds the others back. The most work first.
	work := func(role string) int { return len(byRole[role]) * len(builtin(t, role).Scenarios) }
	sort.Slice(roles, func(i, j int) bool {
		if wi, wj := work(roles[i]), work(roles[j]); wi != wj {
			return wi > wj
		}
		return roles[i] < roles[j]
	})
	start := time.Now()
	var mu sync.Mutex
	tables := map[string][]string{}
	t.Cleanup(func() {
		var table []string
		sort.Strings(roles)
		for _, role := range roles {
			table = append(table, tables[role]...)
		}
		t.Logf("graded %d students twice in %s:\n%s", len(dirs), time.Since(start).Round(time.Second), strings.Join(table, "\n"))
	})
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			table := gradeCorpusRole(t, role, byRole[role])
			mu.Lock()
			tables[role] = table
			mu.Unlock()
		})
	}
}

// gradeCorpusRole grades the students of role twice and compares their
// points with want; it returns their lines of the table.
func gradeCorpusRole(t *testing.T, role string, want map[string]expectedGrade) []string {
	roleStart := time.Now()
	d := submission.Detector{Role: roleNamed(role), Python: submission.DefaultPython()}
	subs, err := d.Paths(filepath.Join("testdata", "students", role))
	if err != nil {
		t.Fatal(err)
	}
	twice := append([]submission.Submission(nil), subs...)
	for _, s := range subs {
		s.Name += "#2"
		twice = append(twice, s)
	}
	r := gradeIsolated(t, builtin(t, role), 2, twice...)
	var table []string
	for _, res := range r.Submissions {
		name, _ := strings.CutSuffix(res.Name, "#2")
		g, ok := want[name]
		if !ok {
			t.Errorf("%s/%s is not in GRADES", role, name)
			continue
		}
		var got, diffs []string
		for _, sc := range res.Scenarios {
			got = append(got, fmt.Sprintf("%s=%s", sc.Name, report.Points(sc.Points)))
			w, ok := g.points[sc.Name]
			if !ok || w != sc.Points {
				diffs = append(diffs, fmt.Sprintf("%s: %s points, want %s%s", sc.Name, report.Points(sc.Points), report.Points(w), scenarioDetail(sc)))
			}
		}
		if len(g.points) != len(res.Scenarios) {
			diffs = append(diffs, fmt.Sprintf("GRADES:%d names %d scenarios, the suite has %d", g.line, len(g.points), len(res.Scenarios)))
		}
		if len(diffs) > 0 {
			t.Errorf("%s/%s (%s; GRADES:%d: %s):\n  %s", role, res.Name, res.Component, g.line, g.reason, strings.Join(diffs, "\n  "))
		}
		if res.Name == name {
			table = append(table, fmt.Sprintf("%-16s %-6s %5s/%-3s %s", role, name, report.Points(res.Points), report.Points(res.MaxPoints), strings.Join(got, " ")))
		}
	}
	t.Logf("graded in %s", time.Since(roleStart).Round(time.Second))
	return table
}

// scenarioDetail is a scenario's error and evidence, for a failure.
func scenarioDetail(sc *report.ScenarioResult) string {
	var b strings.Builder
	if sc.Error != "" {
		b.WriteString("\n      error: " + report.FirstLine(sc.Error))
	}
	for _, c := range sc.Checks {
		for _, e := range c.Evidence {
			b.WriteString("\n      " + c.Label() + ": " + e)
		}
	}
	return b.String()
}

func roleNamed(name string) roles.Role {
	g, _ := Graders().Lookup(name)
	return g.Role
}
