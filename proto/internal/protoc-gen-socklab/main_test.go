package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/socklab/socklab/internal/tooltest"
)

// TestGeneratedCodeIsCurrent regenerates the code a plugin handles its
// messages with (this program's and vtprotobuf's, as proto/gen.sh does)
// into a temporary directory and compares it with the committed code: a
// stale file would leave a new field unrepaired or unsent.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	tooltest.Need(t, "protoc")
	proto, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin, out := t.TempDir(), t.TempDir()
	for name, pkg := range map[string]string{
		"protoc-gen-socklab":    ".",
		"protoc-gen-go-vtproto": "github.com/planetscale/vtprotobuf/cmd/protoc-gen-go-vtproto",
	} {
		if msg, err := exec.Command("go", "build", "-o", filepath.Join(bin, name), pkg).CombinedOutput(); err != nil {
			t.Fatalf("building %s: %v\n%s", name, err, msg)
		}
	}
	protos, err := filepath.Glob(filepath.Join(proto, "socklab/v1/*.proto"))
	if err != nil || len(protos) == 0 {
		t.Fatalf("no .proto files (%v)", err)
	}
	args := []string{"-I", proto, "-I", "/usr/include",
		"--plugin=protoc-gen-socklab=" + filepath.Join(bin, "protoc-gen-socklab"), "--socklab_out=" + out,
		"--plugin=protoc-gen-go-vtproto=" + filepath.Join(bin, "protoc-gen-go-vtproto"), "--go-vtproto_out=" + out,
		"--go-vtproto_opt=features=marshal+unmarshal+size+equal"}
	if msg, err := exec.Command("protoc", append(args, protos...)...).CombinedOutput(); err != nil {
		t.Fatalf("protoc: %v\n%s", err, msg)
	}
	for _, pattern := range []string{"*_text.pb.go", "*_vtproto.pb.go"} {
		fresh, _ := filepath.Glob(filepath.Join(out, "github.com/socklab/socklab/proto/socklabpb", pattern))
		committed, _ := filepath.Glob(filepath.Join(proto, "socklabpb", pattern))
		if len(fresh) == 0 || len(fresh) != len(committed) {
			t.Errorf("%s: %d files generated, %d committed: run go generate ./proto/...", pattern, len(fresh), len(committed))
		}
		for _, f := range fresh {
			want, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(proto, "socklabpb", filepath.Base(f)))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("proto/socklabpb/%s is missing or stale: run go generate ./proto/...", filepath.Base(f))
			}
		}
	}
}
