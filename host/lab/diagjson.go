package lab

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
)

// The JSON shape of `terraform validate -json`, which editors and CI
// tools already read.
type (
	jsonValidation struct {
		FormatVersion string           `json:"format_version"`
		Valid         bool             `json:"valid"`
		ErrorCount    int              `json:"error_count"`
		WarningCount  int              `json:"warning_count"`
		Diagnostics   []jsonDiagnostic `json:"diagnostics"`
	}
	jsonDiagnostic struct {
		Severity string       `json:"severity"`
		Summary  string       `json:"summary"`
		Detail   string       `json:"detail"`
		Range    *jsonRange   `json:"range,omitempty"`
		Snippet  *jsonSnippet `json:"snippet,omitempty"`
	}
	jsonRange struct {
		Filename string  `json:"filename"`
		Start    jsonPos `json:"start"`
		End      jsonPos `json:"end"`
	}
	jsonPos struct {
		Line   int `json:"line"`
		Column int `json:"column"`
		Byte   int `json:"byte"`
	}
	jsonSnippet struct {
		Context              *string `json:"context"`
		Code                 string  `json:"code"`
		StartLine            int     `json:"start_line"`
		HighlightStartOffset int     `json:"highlight_start_offset"`
		HighlightEndOffset   int     `json:"highlight_end_offset"`
		Values               []any   `json:"values"`
	}
)

// WriteDiagnosticsJSON writes diags as one JSON object in the shape of
// `terraform validate -json` (format_version 1.0), valid when there is no
// error.
func WriteDiagnosticsJSON(w io.Writer, diags hcl.Diagnostics, files map[string]*hcl.File) error {
	out := jsonValidation{FormatVersion: "1.0", Diagnostics: []jsonDiagnostic{}}
	for _, d := range diags {
		jd := jsonDiagnostic{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
			out.WarningCount++
		} else {
			out.ErrorCount++
		}
		if r := d.Subject; r != nil {
			jd.Range = &jsonRange{Filename: r.Filename,
				Start: jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:   jsonPos{r.End.Line, r.End.Column, r.End.Byte}}
			if f, ok := files[r.Filename]; ok {
				jd.Snippet = snippet(f, *r)
			}
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	out.Valid = out.ErrorCount == 0
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// snippet is the source lines of r with r's place in them, and the block
// r is in.
func snippet(f *hcl.File, r hcl.Range) *jsonSnippet {
	src := f.Bytes
	if r.Start.Byte > len(src) || r.End.Byte > len(src) || r.End.Byte < r.Start.Byte {
		return nil
	}
	start := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	end := len(src)
	if i := bytes.IndexByte(src[r.End.Byte:], '\n'); i >= 0 {
		end = r.End.Byte + i
	}
	s := &jsonSnippet{Code: string(src[start:end]), StartLine: r.Start.Line,
		HighlightStartOffset: r.Start.Byte - start, HighlightEndOffset: r.End.Byte - start, Values: []any{}}
	if f.Body != nil {
		if ctx := hcled.ContextString(f, r.Start.Byte); ctx != "" {
			s.Context = &ctx
		}
	}
	return s
}
