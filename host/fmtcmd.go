package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aymanbagabas/go-udiff"
	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/internal/hclfmt"
)

// exitUnformatted is fmt -check's status when a file is not formatted,
// as terraform fmt -check's.
const exitUnformatted = 3

func fmtCommand() *command {
	return &command{
		name: "fmt", args: "[FILE|DIR...]", summary: "rewrite lab and suite files in the canonical HCL style",
		about: `
As terraform fmt: each FILE, and the .hcl files of each DIR (default: the
current directory), are rewritten in place and their names printed; "-"
formats standard input to standard output. A file with a syntax error is
reported and left alone. Exit status: 0 done, 2 a file could not be read or
parsed, 3 with --check when some file is not formatted.`,
		setup: func(fs *flag.FlagSet, std stdio) func([]string, []string) int {
			o := fmtOptions{}
			fs.BoolVar(&o.check, "check", false, "change no file; exit 3 if any is not formatted, and list it")
			fs.BoolVar(&o.diff, "diff", false, "show the changes as a unified diff")
			fs.BoolVar(&o.recursive, "recursive", false, "also format the .hcl files of subdirectories")
			return func(positional, rest []string) int { return o.run(append(positional, rest...), std) }
		},
	}
}

type fmtOptions struct {
	check, diff, recursive bool
}

func (o fmtOptions) run(args []string, std stdio) int {
	if len(args) == 0 {
		args = []string{"."}
	}
	code := exitOK
	worse := func(c int) {
		if c == exitBadLab || code == exitOK {
			code = c
		}
	}
	for _, arg := range args {
		if arg == "-" {
			worse(o.stdin(std))
			continue
		}
		files, err := o.files(arg)
		if err != nil {
			fmt.Fprintf(std.err, "socklab fmt: %v\n", err)
			worse(exitBadLab)
			continue
		}
		for _, f := range files {
			worse(o.file(f, std))
		}
	}
	return code
}

// files are the files an argument names: itself, or a directory's .hcl files.
func (o fmtOptions) files(arg string) ([]string, error) {
	fi, err := os.Stat(arg)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{arg}, nil
	}
	var files []string
	err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != arg && (!o.recursive || strings.HasPrefix(d.Name(), ".")):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(path, ".hcl"):
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// file formats one file; the status is fmt's for it.
func (o fmtOptions) file(path string, std stdio) int {
	src, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(std.err, "socklab fmt: %v\n", err)
		return exitBadLab
	}
	out, ok := format(path, src, std.err)
	if !ok {
		return exitBadLab
	}
	if bytes.Equal(src, out) {
		return exitOK
	}
	fmt.Fprintln(std.out, path)
	if o.diff {
		fmt.Fprint(std.out, udiff.Unified("old/"+filepath.ToSlash(path), "new/"+filepath.ToSlash(path), string(src), string(out)))
	}
	if o.check {
		return exitUnformatted
	}
	fi, err := os.Stat(path)
	if err == nil {
		err = os.WriteFile(path, out, fi.Mode().Perm())
	}
	if err != nil {
		fmt.Fprintf(std.err, "socklab fmt: %v\n", err)
		return exitBadLab
	}
	return exitOK
}

// stdin formats standard input to standard output.
func (o fmtOptions) stdin(std stdio) int {
	src, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintf(std.err, "socklab fmt: %v\n", err)
		return exitBadLab
	}
	out, ok := format("<stdin>", src, std.err)
	switch {
	case !ok:
		return exitBadLab
	case o.diff:
		fmt.Fprint(std.out, udiff.Unified("old/<stdin>", "new/<stdin>", string(src), string(out)))
	case !o.check:
		std.out.Write(out)
	}
	if o.check && !bytes.Equal(src, out) {
		return exitUnformatted
	}
	return exitOK
}

// format returns src in the canonical style (hclwrite.Format's, from
// internal/hclfmt); a syntax error, or a file beyond a lab file's limits,
// is printed as a diagnostic and src is not formatted. lab.ParseHCL's parse
// is hclsyntax.ParseConfig's, the syntax check hclwrite.ParseConfig made.
func format(name string, src []byte, stderr io.Writer) ([]byte, bool) {
	if _, diags := lab.ParseHCL(context.Background(), name, src, lab.DefaultLimits()); diags.HasErrors() {
		lab.WriteDiagnostics(stderr, diags, map[string]*hcl.File{name: {Bytes: src}})
		return nil, false
	}
	return hclfmt.Format(src), true
}
