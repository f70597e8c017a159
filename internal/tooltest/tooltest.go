// Package tooltest finds the Debian tools some tests run against (netcat,
// nginx, protoc, Chromium, tshark, wrk, Python with grpc...). A test asks
// for one with Need: when it is missing the test is skipped, naming the
// Debian package to install, so that `go test ./...` passes on a machine
// with Go alone; with SOCKLAB_REQUIRE_TOOLS set (CI sets it and installs
// every package) a missing tool fails the test instead.
package tooltest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RequireEnv is the variable that turns a missing tool into a failure.
const RequireEnv = "SOCKLAB_REQUIRE_TOOLS"

// DebianPython is the interpreter with Debian's python3-grpcio and
// python3-protobuf: a python3 first on PATH may be another build.
const DebianPython = "/usr/bin/python3"

// Tool is a program some tests need and where Debian has it.
type Tool struct {
	// Name is what a test asks for: a command, or a Python capability.
	Name string
	// Packages are the Debian packages that provide it.
	Packages []string
	// find returns the tool's path, or why it is not usable.
	find func() (string, error)
}

// Tools are every tool a test may need, the list README.md's "Optional
// tools" and .ci/run install (a test keeps the three the same).
func Tools() []Tool {
	return []Tool{
		command("nc", "netcat-openbsd"),
		command("nginx", "nginx-light"),
		command("protoc", "protobuf-compiler"),
		command("chromium", "chromium"),
		command("tshark", "tshark"),
		command("wrk", "wrk"),
		command("curl", "curl"),
		command("ip", "iproute2"),
		command("bwrap", "bubblewrap"),
		{Name: "python3", Packages: []string{"python3"}, find: func() (string, error) {
			_, err := os.Stat(DebianPython)
			return DebianPython, err
		}},
		{Name: "python3-grpcio", Packages: []string{"python3-grpcio", "python3-protobuf"}, find: func() (string, error) {
			out, err := exec.Command(DebianPython, "-c", "import grpc, google.protobuf").CombinedOutput()
			if err != nil {
				lines := strings.Split(strings.TrimSpace(string(out)), "\n")
				return "", fmt.Errorf("%s cannot import grpc and protobuf: %s", DebianPython, lines[len(lines)-1])
			}
			return DebianPython, nil
		}},
	}
}

// command is a tool found on PATH, or in /usr/sbin where Debian puts
// daemons (nginx) that a user's PATH may lack.
func command(name, pkg string) Tool {
	return Tool{Name: name, Packages: []string{pkg}, find: func() (string, error) {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
		p := filepath.Join("/usr/sbin", name)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
		return "", fmt.Errorf("no %s on PATH", name)
	}}
}

// Need returns the path of the named tool. Missing, it skips the test
// with the apt-get line that installs it, or fails it when RequireEnv is
// set.
func Need(t testing.TB, name string) string {
	t.Helper()
	path, msg, err := lookup(name, os.Getenv(RequireEnv) != "")
	switch {
	case errors.Is(err, errRequired):
		t.Fatal(msg)
	case err != nil:
		t.Skip(msg)
	}
	return path
}

var errRequired = errors.New("required")

// lookup finds a tool; when it is missing, msg says which package to
// install and err is errRequired if the tool must be there.
func lookup(name string, required bool) (path, msg string, err error) {
	for _, tool := range Tools() {
		if tool.Name != name {
			continue
		}
		path, err := tool.find()
		if err == nil {
			return path, "", nil
		}
		msg = fmt.Sprintf("%s is missing (%v): apt-get install %s", name, err, strings.Join(tool.Packages, " "))
		if required {
			return "", msg + " (" + RequireEnv + " is set, so this is a failure)", errRequired
		}
		return "", msg, errors.New("missing")
	}
	return "", "tooltest: no tool " + name + " in Tools()", errRequired
}
