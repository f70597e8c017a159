package lab

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
)

// WriteDiagnostics prints diagnostics the way compilers do:
//
//	lab.hcl:7:11: error: Invalid value for timeout
//	  "soon" is not a duration: write a number with a unit, like "1s".
//	     7 |   timeout = "soon"
//	       |             ^^^^^^
func WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File) {
	for _, d := range diags {
		severity := "error"
		if d.Severity == hcl.DiagWarning {
			severity = "warning"
		}
		if d.Subject == nil {
			fmt.Fprintf(w, "%s: %s\n", severity, d.Summary)
		} else {
			fmt.Fprintf(w, "%s:%d:%d: %s: %s\n", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, severity, d.Summary)
		}
		if d.Detail != "" {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(d.Detail, "\n", "\n  "))
		}
		if d.Subject != nil {
			if f, ok := files[d.Subject.Filename]; ok {
				writeSnippet(w, f.Bytes, *d.Subject)
			}
		}
	}
}

// writeSnippet prints the first line of r and underlines r on it.
func writeSnippet(w io.Writer, src []byte, r hcl.Range) {
	if r.Start.Byte > len(src) {
		return
	}
	lineStart := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[r.Start.Byte:], '\n'); i >= 0 {
		lineEnd = r.Start.Byte + i
	}
	line := strings.TrimRight(string(src[lineStart:lineEnd]), "\r")
	end := min(r.End.Byte, lineEnd)
	pad := utf8.RuneCount(src[lineStart:r.Start.Byte])
	width := max(1, utf8.RuneCount(src[r.Start.Byte:max(end, r.Start.Byte)]))
	gutter := fmt.Sprintf("%6d | ", r.Start.Line)
	fmt.Fprintf(w, "%s%s\n", gutter, expandTabs(line))
	fmt.Fprintf(w, "%s| %s%s\n", strings.Repeat(" ", len(gutter)-2), strings.Repeat(" ", pad), strings.Repeat("^", width))
}

func expandTabs(s string) string { return strings.ReplaceAll(s, "\t", " ") }
