package lab

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/proto/roles"
)

// FuzzParseHCL feeds arbitrary text to the lab loader and the submission
// reader: whatever the text, they answer with diagnostics, never a panic
// or a hang.
//
//	go test ./host/lab -run '^$' -fuzz FuzzParseHCL -fuzztime 30s
func FuzzParseHCL(f *testing.F) {
	seeds, _ := filepath.Glob("../../examples/*.hcl")
	seeds = append(seeds, "../../lab.hcl")
	for _, p := range seeds {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	for _, s := range []string{
		pinger,
		"plugin {\n  program = [null]\n}\n",
		"plugin {\n  env = { A = null }\n  args = [[]]\n}\n",
		"locals {\n  a = local.b\n  b = local.a\n}\n",
		"a = ((((((1))))))\nb = !!!!true\nc = \"${\"${1}\"}\"\n",
		"ping_client \"c\" {\n  server = ping_server.s.address\n  link {\n    loss = null\n    to_client { delay = [1] }\n  }\n}\nping_server \"s\" {}\n",
		"variable \"v\" {\n  default = [for i in range(10) : format(\"%03d\", i)]\n}\nlab { name = join(\",\", var.v) }\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		lim := Limits{MaxBytes: 1 << 16, MaxDepth: 50, MaxValueBytes: 1 << 16}
		file, diags := ParseHCL(ctx, "fuzz.hcl", src, lim)
		files := map[string]*hcl.File{"fuzz.hcl": file}
		if !diags.HasErrors() {
			_, d := LoadBodyContext(ctx, "fuzz.hcl", dir, file.Body, files, Options{Limits: lim, Roles: roles.Sheet()})
			diags = append(diags, d...)
		}
		WriteDiagnostics(io.Discard, diags, files)
		_, files, diags = ParsePlugin(ctx, "submission.hcl", src, dir, SubmissionLimits())
		WriteDiagnostics(io.Discard, diags, files)
	})
}
