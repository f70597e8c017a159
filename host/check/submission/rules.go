package submission

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/socklab/socklab/internal/lazy"
)

// interpreterRE names the interpreters a submission.hcl may run its
// source with, by name (found on PATH): python3 client.py.
var interpreterRE = lazy.Regexp(`^(python(3(\.\d+)?)?|sh|bash|node|ruby|perl|java)$`)

// submissionRules holds a student's submission.hcl (already parsed,
// within limits, with no errors) to what a student may ask for: only a
// program or source inside the student's own directory dir. builtin (the
// reference), an absolute path, ".." and a link leading out of dir are
// refused, each a diagnostic at its place in the file.
func submissionRules(file *hcl.File, dir string) hcl.Diagnostics {
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	var diags hcl.Diagnostics
	refuse := func(rng hcl.Range, summary, detail string) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary,
			Detail: detail + " A submission names only a program or source in its own directory; it scores nothing otherwise.", Subject: rng.Ptr()})
	}
	for _, block := range body.Blocks {
		if block.Type != "plugin" {
			continue
		}
		for name, a := range block.Body.Attributes {
			switch name {
			case "builtin":
				refuse(a.NameRange, "Not the student's code", "builtin runs socklab's own reference implementation, not the student's.")
			case "go", "dir":
				for _, e := range elements(a.Expr) {
					if s, ok := e.text(); ok {
						if why := outside(s, dir); why != "" {
							refuse(e.rng, "Outside the submission", fmt.Sprintf("%s = %q %s.", name, s, why))
						}
					}
				}
			case "command", "program":
				els := elements(a.Expr)
				namesSource := false
				for i, e := range els {
					s, ok := e.text()
					if !ok {
						continue
					}
					if i == 0 && !strings.Contains(s, "/") {
						if !interpreterRE().MatchString(s) && !fileExists(filepath.Join(dir, s)) {
							refuse(e.rng, "Outside the submission", fmt.Sprintf("%q is a program on the grader's PATH, not one in the submission; only an interpreter (python3) may be named that way, with the source beside it.", s))
						}
						continue
					}
					if why := outside(s, dir); why != "" {
						refuse(e.rng, "Outside the submission", fmt.Sprintf("%q %s.", s, why))
						continue
					}
					if i > 0 && fileExists(filepath.Join(dir, s)) {
						namesSource = true
					}
				}
				if len(els) > 0 {
					if s, ok := els[0].text(); ok && !strings.Contains(s, "/") && interpreterRE().MatchString(s) && !namesSource && len(diags) == 0 {
						refuse(a.Expr.Range(), "No source in the submission", fmt.Sprintf("%s runs no file of the submission's directory.", s))
					}
				}
			}
		}
	}
	return diags
}

// element is one string of an attribute: the value itself, or an item of
// its list, with its place in the file.
type element struct {
	val cty.Value
	rng hcl.Range
}

func (e element) text() (string, bool) {
	if e.val.IsNull() || !e.val.IsKnown() || e.val.Type() != cty.String {
		return "", false
	}
	return e.val.AsString(), true
}

// elements evaluates an attribute's literal value: each item of a list,
// or the value itself.
func elements(expr hclsyntax.Expression) []element {
	if t, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		var els []element
		for _, x := range t.Exprs {
			v, _ := x.Value(nil)
			els = append(els, element{val: v, rng: x.Range()})
		}
		return els
	}
	v, _ := expr.Value(nil)
	return []element{{val: v, rng: expr.Range()}}
}

// outside says why path s leads out of dir ("" if it does not): it is
// absolute, climbs with "..", or is a link leading out.
func outside(s, dir string) string {
	if filepath.IsAbs(s) {
		return "is an absolute path"
	}
	for part := range strings.SplitSeq(filepath.ToSlash(s), "/") {
		if part == ".." {
			return `climbs out with ".."`
		}
	}
	full := filepath.Join(dir, s)
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return ""
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err == nil && !Inside(real, realDir) {
		return "is a link leading out of the submission's directory"
	}
	return ""
}

// Inside reports whether path is dir or under it.
func Inside(path, dir string) bool {
	if dir == "" {
		return false
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}
