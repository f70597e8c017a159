package main

import (
	"archive/zip"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/socklab/socklab/host/labs"
)

const autograderAbout = `
Writes a Gradescope autograder bundle to DIR: setup.sh (installs what
grading needs on Gradescope's Ubuntu image), run_autograder (grades
/autograder/submission into /autograder/results/results.json), this
socklab binary, the suite if --suite is given, and autograder.zip holding
them all, to upload as the assignment's autograder. run_autograder takes
its root from AUTOGRADER_ROOT (default /autograder), so that it can be
tried in a temporary directory.`

func autograderCommand() *command {
	return &command{
		name: "autograder", summary: "write a Gradescope autograder bundle for a role",
		about: autograderAbout,
		setup: func(fs *flag.FlagSet, std stdio) func(positional, rest []string) int {
			var role, suite, out string
			fs.StringVar(&role, "role", "", "the `ROLE` graded: "+strings.Join(labs.Builtin().Names(), ", "))
			fs.StringVar(&suite, "suite", "", "a suite `FILE` instead of the built-in suite of the role")
			fs.StringVar(&out, "out", "", "the `DIR` to write the bundle to")
			return func(positional, rest []string) int {
				if len(positional) > 0 || len(rest) > 0 {
					fmt.Fprintln(std.err, "socklab autograder: takes no arguments, only flags")
					return exitBadLab
				}
				if out == "" {
					fmt.Fprintln(std.err, "socklab autograder: say where with --out DIR")
					return exitBadLab
				}
				s, code := loadSuite(suite, role, std.err)
				if s == nil {
					return code
				}
				if err := writeAutograder(out, s.Role.Name, suite); err != nil {
					fmt.Fprintf(std.err, "socklab autograder: %v\n", err)
					return exitFailed
				}
				fmt.Fprintf(std.out, "wrote %s: upload %s as the autograder\n", out, filepath.Join(out, "autograder.zip"))
				return exitOK
			}
		},
	}
}

// setupScript installs what grading needs on Gradescope's Ubuntu image:
// Python for plain programs and Python plugins, bubblewrap for the sandbox,
// Go for Go submissions, and socklab.
const setupScript = `#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 bubblewrap iproute2 ca-certificates golang-go
install -m 0755 socklab /usr/local/bin/socklab
socklab version
`

// runScript grades the one submission Gradescope puts in
// $ROOT/submission; whatever happens, results.json is written.
const runScript = `#!/usr/bin/env bash
# Gradescope runs this for each submission. AUTOGRADER_ROOT lets it run elsewhere.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
SOCKLAB="$SOURCE/socklab"
[ -x /usr/local/bin/socklab ] && [ -z "${AUTOGRADER_ROOT:-}" ] && SOCKLAB=/usr/local/bin/socklab
mkdir -p "$ROOT/results"
SUITE=(--role %s)
[ -f "$SOURCE/suite.hcl" ] && SUITE=(--suite "$SOURCE/suite.hcl")
"$SOCKLAB" check "${SUITE[@]}" --jobs 1 --report "$ROOT/results" "$ROOT/submission" >"$ROOT/results/check.txt" 2>&1
status=$?
if [ ! -f "$ROOT/results/results.json" ]; then
  # Nothing graded (not one submission, or check failed): say why, for 0.
  python3 - "$ROOT/results" "$status" <<'EOF'
import json, sys
out = open(sys.argv[1] + "/check.txt", errors="replace").read()[-20000:]
json.dump({"score": 0, "output": "socklab check could not grade this submission (exit %%s):\n%%s" %% (sys.argv[2], out)},
          open(sys.argv[1] + "/results.json", "w"))
EOF
fi
exit 0
`

// writeAutograder writes the bundle for role to dir; suite, if set, is a
// suite file that goes in as suite.hcl.
func writeAutograder(dir, role, suite string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the socklab executable: %w", err)
	}
	files := []struct {
		name string
		mode os.FileMode
		data func() ([]byte, error)
	}{
		{"setup.sh", 0o755, func() ([]byte, error) { return []byte(setupScript), nil }},
		{"run_autograder", 0o755, func() ([]byte, error) { return fmt.Appendf(nil, runScript, role), nil }},
		{"socklab", 0o755, func() ([]byte, error) { return os.ReadFile(exe) }},
	}
	if suite != "" {
		files = append(files, struct {
			name string
			mode os.FileMode
			data func() ([]byte, error)
		}{"suite.hcl", 0o644, func() ([]byte, error) { return os.ReadFile(suite) }})
	}
	zf, err := os.Create(filepath.Join(dir, "autograder.zip"))
	if err != nil {
		return err
	}
	defer zf.Close()
	zw := zip.NewWriter(zf)
	for _, f := range files {
		data, err := f.data()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), data, f.mode); err != nil {
			return err
		}
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, strings.NewReader(string(data))); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return zf.Close()
}
