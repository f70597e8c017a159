package submission

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socklab/socklab/proto/roles"
)

// TestSubmissionRules: a submission.hcl names a program or source in the
// student's own directory, or the submission scores nothing, with the
// reason at its place in the file.
func TestSubmissionRules(t *testing.T) {
	outsider := filepath.Join(t.TempDir(), "solution.py")
	if err := os.WriteFile(outsider, []byte("print('the instructor')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, hcl string
		// want is in the problem ("" none); at is its file:line:col.
		want, at string
	}{
		{"python beside it", `plugin { program = ["python3", "client.py"] }`, "", ""},
		{"relative program", "plugin {\n  program = [\"./client.py\", \"12000\"]\n}\n", "", ""},
		{"go here", `plugin { go = "." }`, "", ""},
		{"builtin", "plugin {\n  builtin = true\n}\n", "builtin runs socklab's own reference", ":2:3:"},
		{"absolute program", "plugin {\n  program = [\"python3\", \"" + outsider + "\"]\n}\n", "is an absolute path", ":2:25:"},
		{"absolute command", "plugin {\n  command = \"/usr/bin/socklab plugin\"\n}\n", "is an absolute path", ":2:13:"},
		{"dot dot", "plugin {\n  program = [\"python3\", \"../bob/client.py\"]\n}\n", `climbs out with ".."`, ":2:25:"},
		{"go dot dot", "plugin {\n  go = \"../../reference\"\n}\n", `climbs out with ".."`, ":2:8:"},
		{"dir outside", "plugin {\n  program = [\"python3\", \"client.py\"]\n  dir = \"/root\"\n}\n", "is an absolute path", ":3:9:"},
		{"a program on PATH", "plugin {\n  program = [\"socklab\", \"plugin\"]\n}\n", "a program on the grader's PATH", ":2:14:"},
		{"link out", "plugin {\n  program = [\"python3\", \"link.py\"]\n}\n", "a link leading out", ":2:25:"},
		{"interpreter and nothing", "plugin {\n  program = [\"python3\", \"-c\", \"print(1)\"]\n}\n", "runs no file of the submission", ":2:13:"},
		{"null", "plugin {\n  program = [null]\n}\n", "null", ":2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range map[string]string{"client.py": "#!/usr/bin/python3\nprint('mine')\n", "main.go": "package main\n\nfunc main() {}\n", submissionFile: tt.hcl} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Symlink(outsider, filepath.Join(dir, "link.py")); err != nil {
				t.Fatal(err)
			}
			sub, ok := Detector{Role: roles.PingClient(), Python: "/usr/bin/python3"}.directory(dir)
			if !ok {
				t.Fatal("not detected as a submission")
			}
			switch {
			case tt.want == "" && sub.Problem != "":
				t.Errorf("refused: %s", sub.Problem)
			case tt.want != "" && !strings.Contains(sub.Problem, tt.want):
				t.Errorf("problem %q, want %q", sub.Problem, tt.want)
			case tt.want != "" && !strings.Contains(sub.Problem, submissionFile+tt.at):
				t.Errorf("problem %q, not at %s%s", sub.Problem, submissionFile, tt.at)
			}
		})
	}
}
