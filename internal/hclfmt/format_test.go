package hclfmt

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
)

// tricky are inputs beyond the repository's own files: the layouts the
// formatter rearranges, and input it must survive (syntax errors, invalid
// UTF-8, CRLF).
var tricky = []struct{ name, src string }{
	{"empty", ""},
	{"newlines only", "\n\n\n"},
	{"no final newline", "a=1"},
	{"nested blocks", "lab {\nping_server \"s\" {\nlisten=\"127.0.0.1:0\"\n    inner {\n x = 1\n      deeper {\ny=[1,2]\n}\n}\n}\n}\n"},
	{"one-line blocks", "a { b = 1 }\nc {}\nd { }\ne \"l\" \"m\" {   }\n"},
	{"aligned run", "a=1\nlong_name=2\nmid = 3\n"},
	{"run broken by blank line", "a=1\nlong_name=2\n\nb=3\nc_longer_than_b=4\n"},
	{"run broken by comment line", "a=1\n# between\nlong_name=2\n// also\nb=3\n/* block */\nccc=4\n"},
	{"run broken by block", "a=1\nblk {\nvery_long_inner=1\nx=2\n}\nlong_name=2\n"},
	{"trailing comments aligned", "a = 1 # one\nlong_name = 2 // two\nb = [1, 2] /* three */\nc = 3\n"},
	{"comment styles", "# hash\n// slashes\n/* block\n   over lines */\na = 1 /* inline */ + 2\n/**/\n#\n//\n"},
	{"comment at EOF without newline", "a = 1 # end"},
	{"multi-line list", "ports = [\n1,\n  2,\n      3\n]\nnames = [\"a\",\n\"b\"]\n"},
	{"multi-line object", "o = {\na = 1\nlong_key = \"x\"\nnested = {\n  z = true\n    }\n}\n"},
	{"object on one line", "o = {a=1, b=2}\np = {\"k\":1,\"l\":2}\n"},
	{"heredoc", "text = <<EOT\n  keep   my   spaces\n${var.x}\nEOT\nafter=1\n"},
	{"indented heredoc", "b {\n  t = <<-EOT\n      hello\n        world ${1+2}\n    EOT\n  u=2\n}\n"},
	{"heredoc in list", "l = [<<EOT\nx\nEOT\n, 2]\n"},
	{"unterminated heredoc", "t = <<EOT\nno end\n"},
	{"template interpolation", "s = \"${a}-${b[\"x\"]}-${ {a=1} }-${f(1,2)}\"\nt = \"%{if c}yes%{else}no%{endif}\"\nu = \"%{ for x in xs }${x},%{ endfor }\"\n"},
	{"escapes", "s = \"a\\\"b\\\\c\\n$${not}%%{not}\"\n"},
	{"expressions", "a = -1\nb = 1 -2\nc = x? -1:2\nd = !e\nf = [for k, v in m: k => v... if v!=null]\ng = a.b[0].*.c[*].d\nh = provider::p::fn(1)\ni = f(xs...)\nj = 1*-2\nk = (1+2)*3%4/5\nl = a&&b||!c\nm = a==b!=c<d<=e>f>=g\n"},
	{"for in tuple", "a = [for x in [foo]: x]\nb = {for x in [foo]: x => x}\n"},
	{"index after call", "a = f()[0]\nb = x[1][2]\nc = 1[0]\n"},
	{"unicode keys", "ключ = 1\nx = 2\n日本語 = 3\ne\u0301 = 4\n👩‍👩‍👧 = 5\n"},
	{"wide alignment", "a = 1\n" + strings.Repeat("k", 70) + " = 2\n"},
	{"CRLF", "a=1\r\nlong_name = 2\r\nb {\r\nc=3\r\n}\r\n"},
	{"mixed line endings", "a=1\r\nb=2\nc {\r\n d=3\n}\r\n"},
	{"trailing whitespace", "a = 1   \nb {   \n  c = 2\t\n}  \n   \n"},
	{"tabs", "a\t=\t1\n\tb {\n\t\tc = 2\n\t}\n"},
	{"invalid UTF-8", "a = \"\xff\xfe\"\nb\xc3 = 1\n\x80\n# \xff comment\n"},
	{"NUL and control bytes", "a = \"\x00\"\n\x01 = 2\nb = 1\x7f\n"},
	{"byte order mark", "\ufeffa = 1\n"},
	{"unterminated string", "a = \"open\nb = 2\n"},
	{"unterminated template", "a = \"${open\nb = 2\n"},
	{"unterminated brace", "b {\nc = 1\n"},
	{"unterminated block comment", "a = 1\n/* never closed\nb = 2\n"},
	{"extra closers", "}\n]\n)\na = 1\n}}}\n"},
	{"many openers", "a = [[[[{\n(\nb\n"},
	{"brackets unbalanced within lines", "a = [1,\n2]] }\nb = {c = [\n1]}\n"},
	{"deep nesting", strings.Repeat("b {\n", 30) + "x=1\n" + strings.Repeat("}\n", 30)},
	{"equals without lhs", "= 1\n  == 2\n"},
	{"stray tokens", "@ $ ` ^ & | ~ ; \\ ?\n"},
	{"numbers", "a = 1.5e10\nb = 0x1\nc = 1.\nd = 01\n"},
	{"ellipsis and colon", "a = {for k, v in m: k => v...}\nb = c ? d : e\n"},
	{"ident then bracket", "a = b [0]\nc = d (1)\n"},
	{"nested template braces", "a = \"${ {b = \"${c}\"} }\"\n"},
}

// repoHCL returns every .hcl file of the repository, by path.
func repoHCL(t testing.TB) map[string][]byte {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != root && strings.HasPrefix(d.Name(), "."):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".hcl"):
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		files[rel] = src
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The lab file, an example and a built-in suite at least: a walk
	// finding none of them is a broken test, not a pass.
	for _, want := range []string{"lab.hcl", "examples/web.hcl", "host/check/judge/ping/suites/ping_client.hcl"} {
		if _, ok := files[filepath.FromSlash(want)]; !ok {
			t.Fatalf("the walk of %s did not find %s", root, want)
		}
	}
	return files
}

// TestFormatIsHCLWrites: Format is hclwrite.Format, byte for byte, on
// every .hcl file of the repository and on the tricky cases.
func TestFormatIsHCLWrites(t *testing.T) {
	type tc struct {
		name string
		src  []byte
	}
	var cases []tc
	for path, src := range repoHCL(t) {
		cases = append(cases, tc{path, src})
	}
	for _, c := range tricky {
		cases = append(cases, tc{c.name, []byte(c.src)})
	}
	changed := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, want := Format(c.src), hclwrite.Format(c.src)
			if !bytes.Equal(got, want) {
				t.Fatalf("Format(%q)\n= %q\nhclwrite.Format gives\n  %q", c.src, got, want)
			}
			if !bytes.Equal(got, c.src) {
				changed++
			}
		})
	}
	// The cases must exercise the formatter, not only inputs it leaves alone.
	if changed < len(tricky)/2 {
		t.Errorf("only %d of %d inputs were changed by formatting", changed, len(cases))
	}
}

// FuzzFormat: Format is hclwrite.Format on any input.
func FuzzFormat(f *testing.F) {
	for _, src := range repoHCL(f) {
		f.Add(src)
	}
	for _, c := range tricky {
		f.Add([]byte(c.src))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		got, want := Format(src), hclwrite.Format(src)
		if !bytes.Equal(got, want) {
			t.Fatalf("Format(%q)\n= %q\nhclwrite.Format gives\n  %q", src, got, want)
		}
	})
}
