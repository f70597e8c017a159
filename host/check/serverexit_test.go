package check

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
)

// serverExitSuite fetches one missing file through a link that holds the
// answer back: a server that answers and exits at once has exited well
// before its answer reaches the client.
const serverExitSuite = `suite {
  role = "web_server"
  files = {
    "www/HelloWorld.html" = "<html>Hello</html>\n"
  }
}

scenario "not_found" {
  check "not_found" {
    points = 4
  }
  lab {
    timeout = "30s"
  }
  web_server "student" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "reference" {
    server = web_server.student.address
    paths  = ["/missing.html"]
    link {
      to_client {
        delay = "400ms"
      }
    }
  }
}
`

func serverExitSuiteFile(t *testing.T) *suite.Suite {
	t.Helper()
	path := filepath.Join(t.TempDir(), "exit.hcl")
	if err := os.WriteFile(path, []byte(serverExitSuite), 0o644); err != nil {
		t.Fatal(err)
	}
	s, diags := LoadSuite(path)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return s
}

// TestServerExitDoesNotEndTheLab: a web server that answers one request
// and exits (the corpus's wes) is judged on the answer it sent, however
// late the client gets it; its exit is reported, not a cause to stop the
// clients.
func TestServerExitDoesNotEndTheLab(t *testing.T) {
	s := serverExitSuiteFile(t)
	sub := plainStudent(t, "web_server", "wes", "WebServer.py")
	r := gradeIsolated(t, s, 1, sub)
	sr := r.Submissions[0].Scenarios[0]
	if sr.Points != 4 {
		t.Errorf("%v points, want 4 for the 404 it sent:\n%s", sr.Points, describe(sr))
	}
	if !strings.Contains(sr.Error, "ended while the lab was running") {
		t.Errorf("the server's exit is not reported: %q", sr.Error)
	}
}

// TestServerCrashReportedWhenStopped: a server that crashed (a traceback
// on stderr) but was still exiting when the host stopped the lab ends by
// the host's SIGTERM; its crash is still the scenario's error, with the
// exception, whichever of the two came first.
func TestServerCrashReportedWhenStopped(t *testing.T) {
	s := serverExitSuiteFile(t)
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed (Debian package python3)")
	}
	dir, _ := filepath.Abs(filepath.Join("testdata", "crashing", "slow_crash"))
	sub := submission.Submission{Name: "slow_crash", Dir: dir, Spec: lab.PluginSpec{From: lab.Plain, Command: []string{py, filepath.Join(dir, "WebServer.py")}}}
	sr := gradeIsolated(t, s, 1, sub).Submissions[0].Scenarios[0]
	if !strings.Contains(sr.Error, "crashed while the lab was running: FileNotFoundError: [Errno 2] No such file or directory: 'missing.html' (WebServer.py:30)") {
		t.Errorf("the crash is not the scenario's error:\n%s", describe(sr))
	}
}
