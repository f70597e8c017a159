package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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

// TestServerExitDoesNotEndTheLab: a web server that answers one request
// and exits (the corpus's wes) is judged on the answer it sent, however
// late the client gets it; its exit is reported, not a cause to stop the
// clients.
func TestServerExitDoesNotEndTheLab(t *testing.T) {
	path := filepath.Join(t.TempDir(), "exit.hcl")
	if err := os.WriteFile(path, []byte(serverExitSuite), 0o644); err != nil {
		t.Fatal(err)
	}
	s, diags := LoadSuite(path)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
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
