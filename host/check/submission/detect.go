// Package submission finds what a student handed in and how to run it:
// a directory's submission.hcl (one plugin block, within rules that keep
// it to the student's own files), a Go main package, a Python program
// (a plugin when it imports socklab), a program or a command line; and
// the addresses a plain program hard-codes.
package submission

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/internal/lazy"
	"github.com/socklab/socklab/proto/roles"
)

// Submission is a component to grade and how to run it.
type Submission struct {
	// Name is the student's (the directory's) or the component's name.
	Name string
	Spec lab.PluginSpec
	// Dir is the submission's directory: the working directory of a
	// plain program unless its plugin block says otherwise.
	Dir string
	// Problem says why it cannot be run at all; it then scores nothing.
	Problem string
	// Note says how it was found, when there was a choice.
	Note string `json:",omitempty"`
	// Binary is a Go submission's plugin, once built.
	Binary string `json:",omitempty"`
}

// Detector tells how to run the components named on the command line.
type Detector struct {
	Role roles.Role
	// Python runs plain Python programs and Python plugins.
	Python string
	// Plain: a command (not a .py file) is a plain program, not a plugin.
	Plain bool
	// Expects is a plain program's address when not the sheet's.
	Expects string
}

// submissionFile, in a submission's directory, says how to run it: one
// plugin block, as in a lab file.
const submissionFile = "submission.hcl"

// DefaultPython is the interpreter for Python submissions: Debian's
// python3 if there is one, else the first python3 on PATH.
func DefaultPython() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	if p, err := exec.LookPath("python3"); err == nil {
		return p
	}
	return "python3"
}

// Command returns the submission for a command line given after "--", or
// quoted as one argument.
func (d Detector) Command(argv []string) (Submission, error) {
	if len(argv) == 0 {
		return Submission{}, fmt.Errorf("empty command")
	}
	name := filepath.Base(argv[0])
	for i, a := range argv {
		if !strings.HasSuffix(a, ".py") {
			continue
		}
		// A Python program, run with the interpreter the command names.
		abs, err := filepath.Abs(a)
		if err != nil {
			return Submission{}, err
		}
		sub := d.python(abs)
		if i > 0 {
			cmd := append([]string(nil), argv...)
			cmd[i] = abs
			if p, err := exec.LookPath(cmd[0]); err == nil {
				cmd[0] = p
			}
			sub.Spec.Command = cmd
		}
		return sub, nil
	}
	prog := argv[0]
	if strings.Contains(prog, "/") {
		prog, _ = filepath.Abs(prog)
	} else if p, err := exec.LookPath(prog); err == nil {
		prog = p
	} else {
		return Submission{}, fmt.Errorf("no program %q on PATH", prog)
	}
	from := lab.Command
	if d.Plain {
		from = lab.Plain
	}
	wd, _ := os.Getwd()
	return Submission{Name: name, Dir: wd, Spec: lab.PluginSpec{From: from, Command: append([]string{prog}, argv[1:]...), Expects: d.Expects}}, nil
}

// Paths returns the submissions a command-line argument names: a Go
// plugin's directory, a submission's directory (submission.hcl, or a
// Python program), a program file, a quoted command, or a directory of
// submissions, one per subdirectory.
func (d Detector) Paths(arg string) ([]Submission, error) {
	fi, err := os.Stat(arg)
	if err != nil {
		if strings.ContainsAny(arg, " \t") {
			sub, err := d.Command(strings.Fields(arg))
			return []Submission{sub}, err
		}
		return nil, fmt.Errorf("%s: no such file or directory", arg)
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		if strings.HasSuffix(abs, ".py") {
			return []Submission{d.python(abs)}, nil
		}
		sub, err := d.Command([]string{abs})
		return []Submission{sub}, err
	}
	if sub, ok := d.directory(abs); ok {
		return []Submission{sub}, nil
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	var subs []Submission
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(abs, e.Name())
		sub, ok := d.directory(dir)
		if !ok {
			sub = Submission{Name: e.Name(), Dir: dir,
				Problem: "found no " + submissionFile + ", Go main package or Python program in " + dir}
		}
		subs = append(subs, sub)
	}
	if len(subs) == 0 {
		return nil, fmt.Errorf("%s holds no submission: no %s, Go main package or Python program, and no subdirectories", arg, submissionFile)
	}
	return subs, nil
}

// directory detects one submission's directory: its submission.hcl, else
// a Go main package, else a Python program.
func (d Detector) directory(dir string) (Submission, bool) {
	sub := Submission{Name: filepath.Base(dir), Dir: dir}
	if _, err := os.Stat(filepath.Join(dir, submissionFile)); err == nil {
		path := filepath.Join(dir, submissionFile)
		spec, files, diags := lab.LoadPlugin(path)
		if files[path] != nil {
			// What it may not name comes first: it is why it scores
			// nothing, whatever else is wrong.
			if refused := submissionRules(files[path], dir); refused.HasErrors() {
				diags = refused
			}
		}
		if diags.HasErrors() {
			var b strings.Builder
			lab.WriteDiagnostics(&b, diags, files)
			sub.Problem = strings.TrimSpace(b.String())
			return sub, true
		}
		if spec.From == lab.Plain && spec.Expects == "" {
			spec.Expects = d.Expects
		}
		// A file named beside submission.hcl stays found wherever the
		// program runs (a plain web server runs in its document root).
		for i := 1; i < len(spec.Command); i++ {
			if p := filepath.Join(dir, spec.Command[i]); !filepath.IsAbs(spec.Command[i]) && fileExists(p) {
				spec.Command[i] = p
			}
		}
		sub.Spec = spec
		return sub, true
	}
	if goMain(dir) {
		sub.Spec = lab.PluginSpec{From: lab.GoSource, Dir: dir}
		return sub, true
	}
	pys, _ := filepath.Glob(filepath.Join(dir, "*.py"))
	var candidates []string
	for _, p := range pys {
		base := filepath.Base(p)
		if !strings.HasPrefix(base, "test_") && base != "__init__.py" && base != "setup.py" {
			candidates = append(candidates, p)
		}
	}
	if len(candidates) == 0 {
		return sub, false
	}
	main, note, err := d.pickPython(candidates)
	if err != nil {
		sub.Problem = err.Error() + ": say which in " + filepath.Join(dir, submissionFile) + `, like plugin { program = ["python3", "client.py"] }`
		return sub, true
	}
	py := d.python(main)
	py.Name, py.Dir, py.Note = sub.Name, dir, note
	return py, true
}

// python is a Python file's submission: a plugin when it uses the socklab
// package, else a plain program.
func (d Detector) python(file string) Submission {
	abs, _ := filepath.Abs(file)
	sub := Submission{Name: strings.TrimSuffix(filepath.Base(abs), ".py"), Dir: filepath.Dir(abs)}
	spec := lab.PluginSpec{From: lab.Plain, Command: []string{d.Python, abs}, Expects: d.Expects}
	if usesSocklab(abs) {
		spec = lab.PluginSpec{From: lab.Command, Command: []string{d.Python, abs}}
	}
	sub.Spec = spec
	return sub
}

var socklabImportRE = lazy.Regexp(`^\s*(?:import\s+socklab\b|from\s+socklab\b)`)

// usesSocklab reports whether a Python file imports the socklab package:
// it is then a plugin, not a plain program.
func usesSocklab(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if socklabImportRE().MatchString(sc.Text()) {
			return true
		}
	}
	return false
}

// versionRE finds the version a file's name gives itself: "client V2.py",
// "client_v3.py", "client version 2.py", "client final.py".
var versionRE = lazy.Regexp(`(?i)(?:^|[^a-z])(?:v|version\s*)(\d{1,3})(?:[^0-9]|$)|(?:^|[^a-z])(final)(?:[^a-z]|$)`)

// fileVersion is the version a file's name says (1 when it says none).
func fileVersion(name string) int {
	m := versionRE().FindStringSubmatch(strings.TrimSuffix(name, filepath.Ext(name)))
	switch {
	case m == nil:
		return 1
	case m[2] != "":
		return 1000
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// pickPython chooses among a directory's Python files the one for the
// role: the only one, or the one whose name says the role best, and of
// two that say it equally well, the later version by its name
// ("UDPPingerClient V2 + Stats.py" over "UDPPingerClient.py"). The note
// says which was chosen over which.
func (d Detector) pickPython(files []string) (string, string, error) {
	if len(files) == 1 {
		return files[0], "", nil
	}
	score := func(f string) int {
		name, n := strings.ToLower(filepath.Base(f)), 0
		for i, w := range d.Role.Plain.Words {
			if strings.Contains(name, w) {
				n += 10 - i // the kind (client, server) first
			}
		}
		return n
	}
	sort.SliceStable(files, func(i, j int) bool {
		if si, sj := score(files[i]), score(files[j]); si != sj {
			return si > sj
		}
		return fileVersion(filepath.Base(files[i])) > fileVersion(filepath.Base(files[j]))
	})
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	best, next := files[0], files[1]
	if score(best) == 0 || (score(best) == score(next) && fileVersion(filepath.Base(best)) == fileVersion(filepath.Base(next))) {
		return "", "", fmt.Errorf("cannot tell which of %s is the %s", strings.Join(names, ", "), strings.ReplaceAll(d.Role.Name, "_", " "))
	}
	why := "its name fits the role best"
	if score(best) == score(next) {
		why = "both names fit the role; it is the later version"
	}
	return best, fmt.Sprintf("graded %s of %s: %s", filepath.Base(best), strings.Join(names, ", "), why), nil
}

func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir()
}

var packageMainRE = lazy.Regexp(`(?m)^package\s+main\b`)

// goMain reports whether dir holds a Go main package.
func goMain(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err == nil && packageMainRE().Match(src) {
			return true
		}
	}
	return false
}
