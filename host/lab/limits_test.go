package lab

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/proto/roles"
)

func TestParseHCLLimits(t *testing.T) {
	deep := func(open, body, close string, n int) string {
		return "a = " + strings.Repeat(open, n) + body + strings.Repeat(close, n) + "\n"
	}
	small := Limits{MaxBytes: 1 << 10, MaxDepth: 10}
	tests := []struct {
		name    string
		src     string
		lim     Limits
		summary string // "" for no error
		line    int
		col     int
	}{
		{"plain file", "a = (1 + 2) * [3][0]\nb = \"${a}\"\n", small, "", 0, 0},
		{"too large", strings.Repeat("# padding\n", 200), small, "File too large", 1, 1},
		{"just within size", strings.Repeat("#", 1<<10), small, "", 0, 0},
		{"nested parentheses", deep("(", "1", ")", 11), small, "Nesting too deep", 1, 15},
		{"nesting at the limit", deep("(", "1", ")", 9), small, "", 0, 0},
		{"nested lists", "\n" + deep("[", "", "]", 12), small, "Nesting too deep", 2, 15},
		{"nested objects", deep("{a=", "1", "}", 11), small, "Nesting too deep", 1, 35},
		{"nested templates", "a = " + strings.Repeat(`"${`, 12) + "1" + strings.Repeat(`}"`, 12) + "\n", small, "Nesting too deep", 1, 36},
		{"template directives", "a = <<EOT\n" + strings.Repeat("%{if true}x", 12) + strings.Repeat("%{endif}", 12) + "\nEOT\n", small, "Nesting too deep", 2, 102},
		{"unary chain", "a = " + strings.Repeat("!", 12) + "true\n", small, "Nesting too deep", 1, 15},
		{"operator chain", "a = 1" + strings.Repeat(" + 1", 12) + "\n", small, "Nesting too deep", 1, 47},
		{"conditional chain", "a = " + strings.Repeat("true ? 1 : ", 12) + "2\n", small, "Nesting too deep", 1, 120},
		{"index chain", "a = x" + strings.Repeat("[i]", 12) + "\n", small, "Nesting too deep", 1, 33},
		{"operators in separate items do not add up", "a = [" + strings.Repeat("1+1+1, ", 30) + "]\n", small, "", 0, 0},
		{"operators on separate lines do not add up", "a = 1+1+1+1\nb = 1+1+1+1\nc = 1+1+1+1\nd = 1+1+1+1\n", Limits{MaxDepth: 10}, "", 0, 0},
		{"literals only: function", "plugin {\n  program = [upper(\"x\")]\n}\n", SubmissionLimits(), "Only literal values allowed", 2, 14},
		{"literals only: reference", "plugin {\n  program = var.x\n}\n", SubmissionLimits(), "Only literal values allowed", 2, 13},
		{"literals only: for", "a = [for x in [1]: x]\n", SubmissionLimits(), "Only literal values allowed", 1, 5},
		{"literals only: bare keys are names", "plugin {\n  env = {A = \"1\", \"B\" = 2}\n}\n", SubmissionLimits(), "", 0, 0},
		{"syntax error", "a = (\n", small, "Missing expression", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, diags := ParseHCL(context.Background(), "x.hcl", []byte(tt.src), tt.lim)
			if f == nil || f.Body == nil {
				t.Fatalf("nil file or body")
			}
			if tt.summary == "" {
				if diags.HasErrors() {
					t.Fatalf("unexpected %v", diags)
				}
				return
			}
			if !diags.HasErrors() {
				t.Fatalf("no error, want %q", tt.summary)
			}
			d := diags[0]
			if d.Summary != tt.summary {
				t.Fatalf("got %q (%s), want %q", d.Summary, d.Detail, tt.summary)
			}
			if tt.line == 0 {
				return
			}
			if d.Subject == nil || d.Subject.Filename != "x.hcl" || d.Subject.Start.Line != tt.line || d.Subject.Start.Column != tt.col {
				t.Fatalf("at %v, want x.hcl:%d:%d", d.Subject, tt.line, tt.col)
			}
			// Printing it must not fail either, however large the file.
			var b strings.Builder
			WriteDiagnostics(&b, diags, map[string]*hcl.File{"x.hcl": f})
			if !strings.Contains(b.String(), "x.hcl:") {
				t.Fatalf("printed %q", b.String())
			}
		})
	}
}

// TestParseHCLSurvivesHugeNesting is the file that overflowed the
// parser's stack: 200 KB of parentheses.
func TestParseHCLSurvivesHugeNesting(t *testing.T) {
	src := "a = " + strings.Repeat("(", 100_000) + "1" + strings.Repeat(")", 100_000) + "\n"
	_, diags := ParseHCL(context.Background(), "deep.hcl", []byte(src), Limits{})
	if !diags.HasErrors() || diags[0].Summary != "Nesting too deep" {
		t.Fatalf("got %v", diags)
	}
}

func TestParseHCLStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt"))
	_, diags := ParseHCL(ctx, "x.hcl", []byte("a = 1\n"), Limits{})
	// The parse of so small a file may win the race; if it did not, the
	// diagnostic says why it stopped.
	if diags.HasErrors() && (diags[0].Summary != "Interrupted" || !strings.Contains(diags[0].Detail, "interrupt")) {
		t.Fatalf("got %v", diags)
	}
}

func TestReadHCLRefusesLargeFileWithoutReadingIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.hcl")
	f, err := os.Create(path)
	must(t, err)
	// A sparse file: its size is known without writing or reading it.
	must(t, f.Truncate(1<<40))
	must(t, f.Close())
	_, diags := ReadHCL(context.Background(), path, Limits{})
	if !diags.HasErrors() || diags[0].Summary != "File too large" || !strings.Contains(diags[0].Detail, "16 MiB") {
		t.Fatalf("got %v", diags)
	}
	_, diags = Load(path, Options{Roles: roles.Sheet()})
	if !diags.HasErrors() || diags[0].Summary != "File too large" {
		t.Fatalf("Load: %v", diags)
	}
}

func TestValueLimits(t *testing.T) {
	tests := []struct {
		name, src string
	}{
		{"function result", `locals {
  x = join(",", [for i in range(1000) : format("%0100d", i)])
}`},
		{"function arguments", `locals {
  x = format("%01000d", 1)
  y = join("", [for i in range(1000) : local.x])
}`},
		{"format width", `locals {
  x = format("%0999999d", 1)
}`},
		{"formatlist width", `locals {
  x = formatlist("%0100d", range(1000))
}`},
		{"variable default", `variable "v" {
  default = [for i in range(1000) : [for j in range(100) : "x"]]
}`},
		{"local", `locals {
  v = [for i in range(1000) : [for j in range(100) : "x"]]
}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load(t, tt.src, Options{Limits: Limits{MaxValueBytes: 64 << 10}})
			if !diags.HasErrors() || !strings.Contains(diags.Error(), "limit of 64 KiB") {
				t.Fatalf("got %v", diags)
			}
		})
	}
}

func TestLoadContextInterrupted(t *testing.T) {
	// A local that would take hours to evaluate: only the context ends it.
	src := `locals {
  n = length([for a in range(1000) : length([for b in range(1000) : length([for c in range(1000) : c])])])
}
`
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	dir := t.TempDir()
	path := filepath.Join(dir, "lab.hcl")
	must(t, os.WriteFile(path, []byte(src), 0o644))
	l, diags := LoadContext(ctx, path, Options{Roles: roles.Sheet()})
	if !diags.HasErrors() || diags[0].Summary != "Interrupted" || l.Files()[path] == nil {
		t.Fatalf("got %v", diags)
	}
}
