package submission

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/proto/roles"
)

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	write := func(path, content string) {
		t.Helper()
		full := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("subs/alice/main.go", "// Command alice.\npackage main\n\nfunc main() {}\n")
	write("subs/bob/UDPPingerClient.py", "from socket import *\n")
	write("subs/bob/helpers.py", "X = 1\n")
	write("subs/carol/client.py", "import socklab\n")
	write("subs/dave/submission.hcl", "plugin {\n  program = [\"sh\", \"run.sh\"]\n  expects = \"127.0.0.1:12001\"\n}\n")
	write("subs/dave/run.sh", "exit 0\n")
	write("subs/erin/notes.txt", "nothing to run\n")
	write("subs/frank/a.py", "\n")
	write("subs/frank/b.py", "\n")
	write("subs/gina/submission.hcl", "plugin {\n  gopher = true\n}\n")
	write("subs/hugo/UDPPingerClient.py", "\n")
	write("subs/hugo/UDPPingerClient V2 + Stats.py", "\n")
	write("subs/hugo/UDPPingerServer.py", "\n")
	d := Detector{Role: roles.PingClient(), Python: "/usr/bin/python3"}
	subs, err := d.Paths(filepath.Join(dir, "subs"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Submission{}
	for _, s := range subs {
		got[s.Name] = s
	}
	if len(subs) != 8 {
		t.Fatalf("%d submissions: %v", len(subs), got)
	}
	check := func(name string, ok bool, what string) {
		t.Helper()
		if !ok {
			t.Errorf("%s: %s; got %+v", name, what, got[name])
		}
	}
	check("alice", got["alice"].Spec.From == lab.GoSource && got["alice"].Spec.Dir == filepath.Join(dir, "subs/alice"), "a Go plugin")
	check("bob", got["bob"].Spec.From == lab.Plain && strings.HasSuffix(got["bob"].Spec.Command[1], "UDPPingerClient.py") && got["bob"].Dir == filepath.Join(dir, "subs/bob"), "the plain program named like a ping client")
	check("carol", got["carol"].Spec.From == lab.Command && got["carol"].Spec.Command[0] == "/usr/bin/python3", "a Python plugin")
	check("dave", got["dave"].Spec.From == lab.Plain && got["dave"].Spec.Expects == "127.0.0.1:12001" &&
		got["dave"].Spec.Command[1] == filepath.Join(dir, "subs/dave/run.sh") && got["dave"].Spec.WorkDir == "", "what its submission.hcl says, its file made absolute")
	check("erin", strings.Contains(got["erin"].Problem, "found no submission.hcl"), "nothing to run")
	check("frank", strings.Contains(got["frank"].Problem, "cannot tell which of a.py, b.py is the ping client"), "ambiguous")
	check("gina", strings.Contains(got["gina"].Problem, "submission.hcl:2"), "a broken submission.hcl, with where")
	check("hugo", got["hugo"].Problem == "" && strings.HasSuffix(got["hugo"].Spec.Command[1], "UDPPingerClient V2 + Stats.py") &&
		strings.Contains(got["hugo"].Note, "graded UDPPingerClient V2 + Stats.py of") && strings.Contains(got["hugo"].Note, "the later version"), "the later of two versions, and a note that says so")

	one, err := d.Paths(filepath.Join(dir, "subs/bob/UDPPingerClient.py"))
	if err != nil || len(one) != 1 || one[0].Spec.From != lab.Plain || one[0].Name != "UDPPingerClient" {
		t.Errorf("a Python file: %v %+v", err, one)
	}
	cmd, err := d.Command([]string{"python3", filepath.Join(dir, "subs/bob/UDPPingerClient.py")})
	if err != nil || cmd.Spec.From != lab.Plain || !filepath.IsAbs(cmd.Spec.Command[0]) {
		t.Errorf("a command running a Python file: %v %+v", err, cmd)
	}
	quoted, err := d.Paths("sh -c true")
	if err != nil || len(quoted) != 1 || quoted[0].Spec.From != lab.Command || quoted[0].Spec.Command[2] != "true" {
		t.Errorf("a quoted command: %v %+v", err, quoted)
	}
	d.Plain = true
	if plain, _ := d.Command([]string{"sh", "run.sh"}); plain.Spec.From != lab.Plain {
		t.Errorf("--program: %+v", plain)
	}
	if _, err := d.Paths(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("a missing path is no error")
	}
}
