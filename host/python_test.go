package main

// Tests of plugins written in Python with plugins/python/socklab: its unit
// tests, its generated code, the examples of examples/python run through
// the host against the Go references (and the references against them),
// and broken Python plugins. They need Debian's python3-grpcio and
// python3-protobuf, and fail, not skip, without them.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// python is Debian's interpreter, the one with python3-grpcio: a python3
// first on PATH may be another build without it.
const python = "/usr/bin/python3"

// pythonReady reports whether python can import grpc and protobuf.
var pythonReady = sync.OnceValue(func() error {
	out, err := exec.Command(python, "-c", "import grpc, google.protobuf").CombinedOutput()
	if err != nil {
		return &pythonMissing{err: err, out: out}
	}
	return nil
})

type pythonMissing struct {
	err error
	out []byte
}

func (e *pythonMissing) Error() string {
	return python + " cannot import grpc and protobuf (Debian: apt-get install python3-grpcio python3-protobuf): " +
		e.err.Error() + "\n" + string(e.out)
}

func requirePython(t *testing.T) {
	t.Helper()
	if err := pythonReady(); err != nil {
		t.Fatal(err)
	}
}

// pythonEnv is what a Python plugin or test needs in its environment: the
// socklab package on its path, and no bytecode files in the tree.
func pythonEnv(t *testing.T) []string {
	return []string{"PYTHONPATH=" + filepath.Join(repoRoot(t), "plugins/python"), "PYTHONDONTWRITEBYTECODE=1"}
}

// TestPythonUnit runs the unit tests of the socklab Python package.
func TestPythonUnit(t *testing.T) {
	requirePython(t)
	cmd := exec.Command(python, "-m", "unittest", "discover", "-s", "tests")
	cmd.Dir = filepath.Join(repoRoot(t), "plugins/python")
	cmd.Env = append(os.Environ(), pythonEnv(t)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python unit tests: %v\n%s", err, out)
	}
}

// TestPythonGeneratedCodeIsCurrent regenerates the Python code of proto/
// into a temporary directory and compares it with the committed code.
func TestPythonGeneratedCodeIsCurrent(t *testing.T) {
	root := repoRoot(t)
	fresh := t.TempDir()
	if out, err := exec.Command("sh", filepath.Join(root, "proto/gen.sh"), "python", fresh).CombinedOutput(); err != nil {
		t.Fatalf("proto/gen.sh python: %v\n%s", err, out)
	}
	for _, dir := range []string{"socklab/v1", "socklab/goplugin"} {
		committed := generated(t, filepath.Join(root, "plugins/python", dir))
		regenerated := generated(t, filepath.Join(fresh, dir))
		for name, want := range regenerated {
			if got, ok := committed[name]; !ok || !bytes.Equal(got, want) {
				t.Errorf("plugins/python/%s/%s is missing or stale: run go generate ./proto/...", dir, name)
			}
		}
		for name := range committed {
			if _, ok := regenerated[name]; !ok {
				t.Errorf("plugins/python/%s/%s is generated from no .proto file: remove it", dir, name)
			}
		}
	}
}

// generated reads the *_pb2.py files of dir.
func generated(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*_pb2.py"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no generated Python code in %s (%v)", dir, err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = data
	}
	return files
}
