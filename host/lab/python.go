package lab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/internal/lazy"
)

// pythonName matches the interpreters a command may name: python,
// python3, python3.11...
var pythonName = lazy.Regexp(`^python[0-9.]*$`)

// PythonScript returns the script a command runs when its program is a
// Python interpreter (python3 [OPTIONS] FILE.py ...), resolved against
// dir; "" for anything else (python3 -m MODULE, -c CODE, not Python).
func PythonScript(argv []string, dir string) string {
	if len(argv) < 2 || !pythonName().MatchString(filepath.Base(argv[0])) {
		return ""
	}
	for _, a := range argv[1:] {
		switch {
		case a == "-m" || a == "-c" || a == "-":
			return ""
		case strings.HasPrefix(a, "-"):
			continue
		case filepath.IsAbs(a):
			return a
		default:
			return filepath.Join(dir, a)
		}
	}
	return ""
}

// checkPythonScript reports a command's Python script that is not there.
func checkPythonScript(spec PluginSpec) error {
	script := PythonScript(spec.Command, spec.WorkDir)
	if script == "" {
		return nil
	}
	fi, err := os.Stat(script)
	switch {
	case err != nil:
		return fmt.Errorf("no file %s", script)
	case fi.IsDir():
		return fmt.Errorf("%s is a directory, not a Python file", script)
	}
	return nil
}

// compileScript is what the lab's interpreter runs to compile a file:
// py_compile, writing the bytecode to a temporary file rather than beside
// the student's source.
const compileScript = `import py_compile, sys
try:
    py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)
except py_compile.PyCompileError as e:
    sys.stderr.write(e.msg)
    sys.exit(1)
`

// CompilePython compiles the Python script of every component run by a
// Python interpreter, with that interpreter (py_compile), so that a syntax
// error is a diagnostic before anything runs, as a Go compile error is.
func CompilePython(ctx context.Context, l *Lab) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range l.Components {
		if c.Plugin.From != Command && c.Plugin.From != Plain {
			continue
		}
		script := PythonScript(c.Plugin.Command, c.Plugin.WorkDir)
		if script == "" || checkPythonScript(c.Plugin) != nil {
			continue // not Python, or missing: reported by Load
		}
		detail, err := compilePython(ctx, c.Plugin.Command[0], script)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError,
				Summary: fmt.Sprintf("Python plugin of %s does not compile", c), Detail: detail, Subject: c.Plugin.Range.Ptr()})
		}
	}
	return diags
}

// compilePython runs py_compile on script; the detail is the compiler's
// message when it fails.
func compilePython(ctx context.Context, python, script string) (string, error) {
	tmp, err := os.MkdirTemp("", "socklab-pycompile")
	if err != nil {
		return err.Error(), err
	}
	defer os.RemoveAll(tmp)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, python, "-c", compileScript, script, filepath.Join(tmp, "out.pyc"))
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		detail := strings.TrimSpace(stderr.String())
		if detail == "" {
			detail = fmt.Sprintf("%s could not compile %s: %v", python, script, err)
		}
		return detail, err
	}
	return "", nil
}
