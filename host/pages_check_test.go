package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/socklab/socklab/internal/browser"
	"github.com/socklab/socklab/internal/tooltest"
)

// pagesSuite is a ping client suite with a check marked extra.
const pagesSuite = `
suite {
  role = "ping_client"
}

scenario "lossy" {
  check "timeouts" {
    points = 2
  }
  check "statistics" {
    extra = true
  }
  lab {
    seed    = 4
    timeout = "30s"
  }
  ping_server "reference" {
    listen    = "127.0.0.1:0"
    drop_rate = 0
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 8
    timeout = "300ms"
    link {
      loss = 0.25
    }
  }
}

scenario "late_replies" {
  check "timeouts" {
    points = 2
  }
  check "replies" {}
  lab {
    timeout = "30s"
  }
  ping_server "reference" {
    listen    = "127.0.0.1:0"
    drop_rate = 0
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 4
    timeout = "300ms"
    link {
      to_client {
        delay = "450ms"
      }
    }
  }
}
`

// TestCheckReportPages: --report writes index.html, a row per student
// and a column per scenario, extras labelled, and a page per student
// where a failed scenario shows its evidence and its run's sequence
// diagram with the packets the evidence names highlighted; both open in
// Chromium from file://.
func TestCheckReportPages(t *testing.T) {
	class := t.TempDir()
	for _, name := range []string{"go_good", "late_as_next"} {
		student(t, class, name, goStudent(t, "ping_client", name))
	}
	suite := filepath.Join(t.TempDir(), "suite.hcl")
	if err := os.WriteFile(suite, []byte(pagesSuite), 0o644); err != nil {
		t.Fatal(err)
	}
	reports := t.TempDir()
	r := startHostIn(t, "", nil, "check", "--suite", suite, "--jobs", "2", "--report", reports, class).waitLong(t)
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1 (late_as_next fails)\n%s\n%s", r.exit, r.stdout, r.stderr)
	}
	report := readReport(t, reports)
	expectFailures(t, report, map[string]string{"go_good": "", "late_as_next": "late_replies"})

	index := readFile(t, filepath.Join(reports, "index.html"))
	for _, want := range []string{`href="students/go_good.html"`, `href="students/late_as_next.html#scenario-2"`,
		`<button>lossy</button> <span class="extra" title="statistics">has extra checks</span>`, `<button>late_replies</button></th>`,
		`class="sortable grades"`} {
		if !strings.Contains(index, want) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	page := readFile(t, filepath.Join(reports, "students", "late_as_next.html"))
	// The evidence names pings; the diagram highlights their replies.
	m := regexp.MustCompile(`<li>ping (\d+): the client reported the reply to ping \d+`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no evidence of a reply taken for the next ping's in the page")
	}
	if !regexp.MustCompile(`<g class="arrow p-cli p-late[a-z- ]* hl"><title>PING \d+ to client`).MatchString(page) {
		t.Errorf("no late reply highlighted in the sequence diagram")
	}
	if !strings.Contains(page, "Highlighted (▶, on yellow): ping ") || !strings.Contains(page, "statistics <span class=\"extra\">extra</span>") {
		t.Errorf("the page does not say what is highlighted or which check is extra")
	}
	if good := readFile(t, filepath.Join(reports, "students", "go_good.html")); strings.Contains(good, "<g class=\"arrow") {
		t.Errorf("a passing student's page draws runs nobody needs")
	}

	c := browser.Chromium{Path: tooltest.Need(t, "chromium")}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, p := range []struct{ file, shot, want string }{
		{"index.html", "grade-index.png", `title="sort by student"`},
		{"students/late_as_next.html", "grade-submission.png", `title="sort by time"`},
	} {
		url := "file://" + filepath.Join(reports, p.file)
		load, err := c.DumpDOM(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(load.DOM, p.want) || strings.Contains(load.Console, "Refused") {
			t.Errorf("%s: its script did not run (%q missing) or broke the policy:\n%s", p.file, p.want, load.Console)
		}
		shot := filepath.Join(reports, p.shot)
		if _, err := c.Screenshot(ctx, url, shot, 1200, 1800); err != nil {
			t.Fatal(err)
		}
		keepShot(t, shot, p.shot)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// keepShot copies a screenshot to /tmp/socklab-page-shots for people to
// look at.
func keepShot(t *testing.T, path, name string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const dir = "/tmp/socklab-page-shots"
	if err := os.MkdirAll(dir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	t.Logf("screenshot %s (copy in %s)", path, filepath.Join(dir, name))
}
