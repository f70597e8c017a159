package lab

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// loadVariables evaluates `variable "name" { default = ... }` blocks, with
// values from the command line taking precedence.
func (l *Lab) loadVariables(blocks hcl.Blocks, given map[string]string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	l.vars = map[string]cty.Value{}
	declared := map[string]hcl.Range{}
	for _, b := range blocks {
		name := b.Labels[0]
		if first, dup := declared[name]; dup {
			diags = append(diags, duplicate("variable", name, b.LabelRanges[0], first))
			continue
		}
		declared[name] = b.DefRange
		content, d := b.Body.Content(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "description"}}})
		diags = append(diags, d...)
		var def cty.Value
		if a, ok := content.Attributes["default"]; ok {
			v, d := a.Expr.Value(&hcl.EvalContext{Functions: functions()})
			diags = append(diags, d...)
			def = v
		}
		raw, fromFlag := given[name]
		switch {
		case fromFlag:
			v, err := flagValue(raw, def)
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for variable " + name,
					Detail: fmt.Sprintf("--var %s=%s: %v.", name, raw, err), Subject: b.LabelRanges[0].Ptr()})
				continue
			}
			l.vars[name] = v
		case def != cty.NilVal:
			l.vars[name] = def
		default:
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No value for variable " + name,
				Detail: fmt.Sprintf("Give it a default, or a value with --var %s=VALUE.", name), Subject: b.DefRange.Ptr()})
		}
	}
	var unknown []string
	for name := range given {
		if _, ok := declared[name]; !ok {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Undeclared variable " + name,
			Detail: fmt.Sprintf("--var %s=... names no variable of this lab; declare it with a variable %q block.", name, name)})
	}
	return diags
}

// flagValue reads a --var value: an HCL literal (10, true, ["a"]) if it is
// one, a plain string otherwise; converted to the type of the default.
func flagValue(raw string, def cty.Value) (cty.Value, error) {
	v := cty.StringVal(raw)
	if expr, d := hclsyntax.ParseExpression([]byte(raw), "--var", hcl.InitialPos); !d.HasErrors() && len(expr.Variables()) == 0 {
		if lit, d := expr.Value(nil); !d.HasErrors() {
			v = lit
		}
	}
	if def == cty.NilVal || def.IsNull() {
		return v, nil
	}
	return convert.Convert(v, def.Type())
}

// loadLocals evaluates every `locals` attribute, each after the locals it
// uses. Locals may use var.* and local.* only.
func (l *Lab) loadLocals(blocks hcl.Blocks) hcl.Diagnostics {
	var diags hcl.Diagnostics
	l.locals = map[string]cty.Value{}
	pending := map[string]*hcl.Attribute{}
	for _, b := range blocks {
		attrs, d := b.Body.JustAttributes()
		diags = append(diags, d...)
		for name, a := range attrs {
			if prev, dup := pending[name]; dup {
				diags = append(diags, duplicate("local", name, a.NameRange, prev.NameRange))
				continue
			}
			pending[name] = a
		}
	}
	for _, a := range pending {
		for _, t := range a.Expr.Variables() {
			if root := t.RootName(); root != "var" && root != "local" {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid reference in locals",
					Detail: fmt.Sprintf("A local can use var.* and local.* only, not %s.", root), Subject: t.SourceRange().Ptr()})
			}
		}
	}
	if diags.HasErrors() {
		return diags
	}
	for len(pending) > 0 {
		progress := false
		for _, a := range sortedAttrs(pending) {
			if !localsReady(a, l.locals) {
				continue
			}
			v, d := a.Expr.Value(l.baseContext())
			diags = append(diags, d...)
			l.locals[a.Name] = v
			delete(pending, a.Name)
			progress = true
		}
		if !progress {
			stuck := sortedAttrs(pending)
			var names []string
			for _, a := range stuck {
				names = append(names, "local."+a.Name)
			}
			return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Locals refer to each other in a cycle",
				Detail: "Cannot evaluate " + strings.Join(names, ", ") + ": each needs another.", Subject: stuck[0].Expr.Range().Ptr()})
		}
	}
	return diags
}

func localsReady(a *hcl.Attribute, done map[string]cty.Value) bool {
	for _, t := range a.Expr.Variables() {
		if t.RootName() != "local" || len(t) < 2 {
			continue
		}
		if step, ok := t[1].(hcl.TraverseAttr); ok {
			if _, ok := done[step.Name]; !ok {
				return false
			}
		}
	}
	return true
}

// baseContext has var, local and the functions: what any expression sees.
func (l *Lab) baseContext() *hcl.EvalContext {
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(l.vars), "local": cty.ObjectVal(l.locals)},
		Functions: functions(),
	}
}

// functions are the HCL functions a lab file may call.
func functions() map[string]function.Function {
	return map[string]function.Function{
		"format":     stdlib.FormatFunc,
		"formatlist": stdlib.FormatListFunc,
		"join":       stdlib.JoinFunc,
		"split":      stdlib.SplitFunc,
		"upper":      stdlib.UpperFunc,
		"lower":      stdlib.LowerFunc,
		"concat":     stdlib.ConcatFunc,
		"length":     stdlib.LengthFunc,
		"range":      stdlib.RangeFunc,
		"min":        stdlib.MinFunc,
		"max":        stdlib.MaxFunc,
		"tostring":   stdlib.MakeToFunc(cty.String),
		"tonumber":   stdlib.MakeToFunc(cty.Number),
	}
}
