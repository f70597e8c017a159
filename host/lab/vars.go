package lab

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/socklab/socklab/internal/lazy"
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
			v, d := a.Expr.Value(&hcl.EvalContext{Functions: l.functions()})
			diags = append(diags, d...)
			if err := checkValueSize(v, l.lim.MaxValueBytes); err != nil {
				diags = append(diags, invalid(a, "%v.", err)...)
				v = cty.DynamicVal
			}
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
// uses, in time linear in their number and references. Locals may use
// var.* and local.* only.
func (l *Lab) loadLocals(ctx context.Context, blocks hcl.Blocks) hcl.Diagnostics {
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
	ordered := sortedAttrs(pending)
	uses := map[string][]string{}   // local -> the locals it uses
	usedBy := map[string][]string{} // local -> the locals using it
	for _, a := range ordered {
		seen := map[string]bool{}
		for _, t := range a.Expr.Variables() {
			root := t.RootName()
			if root != "var" && root != "local" {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid reference in locals",
					Detail: fmt.Sprintf("A local can use var.* and local.* only, not %s.", root), Subject: t.SourceRange().Ptr()})
				continue
			}
			if root == "var" {
				continue
			}
			step, ok := traversalStep(t)
			switch {
			case !ok:
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid reference in locals",
					Detail: "Refer to one local by its name: local.NAME.", Subject: t.SourceRange().Ptr()})
			case pending[step] == nil:
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Reference to undeclared local",
					Detail: fmt.Sprintf("There is no local named %q in this lab.", step), Subject: t.SourceRange().Ptr()})
			case !seen[step]:
				seen[step] = true
				uses[a.Name] = append(uses[a.Name], step)
				usedBy[step] = append(usedBy[step], a.Name)
			}
		}
	}
	if diags.HasErrors() {
		return diags
	}
	// Kahn's order: a local is ready once every local it uses is done.
	waiting := map[string]int{}
	var ready []*hcl.Attribute
	for _, a := range ordered {
		waiting[a.Name] = len(uses[a.Name])
		if waiting[a.Name] == 0 {
			ready = append(ready, a)
		}
	}
	for done := 0; len(ready) > 0; done++ {
		if done%256 == 0 && ctx.Err() != nil {
			return diags
		}
		a := ready[0]
		ready = ready[1:]
		mine := map[string]cty.Value{}
		for _, name := range uses[a.Name] {
			mine[name] = l.locals[name]
		}
		v, d := a.Expr.Value(&hcl.EvalContext{
			Variables: map[string]cty.Value{"var": cty.ObjectVal(l.vars), "local": cty.ObjectVal(mine)},
			Functions: l.functions(),
		})
		diags = append(diags, d...)
		if err := checkValueSize(v, l.lim.MaxValueBytes); err != nil {
			diags = append(diags, invalid(a, "%v.", err)...)
			v = cty.DynamicVal
		}
		l.locals[a.Name] = v
		delete(pending, a.Name)
		for _, user := range usedBy[a.Name] {
			if waiting[user]--; waiting[user] == 0 {
				ready = append(ready, pending[user])
			}
		}
	}
	if len(pending) > 0 {
		stuck := sortedAttrs(pending)
		var names []string
		for _, a := range stuck {
			names = append(names, "local."+a.Name)
		}
		return append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Locals refer to each other in a cycle",
			Detail: "Cannot evaluate " + strings.Join(names, ", ") + ": each needs another.", Subject: stuck[0].Expr.Range().Ptr()})
	}
	return diags
}

// traversalStep is the name a traversal takes from its root: NAME in
// local.NAME or local["NAME"].
func traversalStep(t hcl.Traversal) (string, bool) {
	if len(t) < 2 {
		return "", false
	}
	switch step := t[1].(type) {
	case hcl.TraverseAttr:
		return step.Name, true
	case hcl.TraverseIndex:
		if step.Key.Type() == cty.String && step.Key.IsKnown() && !step.Key.IsNull() {
			return step.Key.AsString(), true
		}
	}
	return "", false
}

// baseContext has var, local and the functions: what any expression
// sees. Its Variables map is the caller's to add to.
func (l *Lab) baseContext() *hcl.EvalContext {
	if l.base == nil {
		l.base = &hcl.EvalContext{
			Variables: map[string]cty.Value{"var": cty.ObjectVal(l.vars), "local": cty.ObjectVal(l.locals)},
			Functions: l.functions(),
		}
	}
	vars := make(map[string]cty.Value, len(l.base.Variables)+2)
	for k, v := range l.base.Variables {
		vars[k] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: l.base.Functions}
}

// functions are those a lab file may call, each refusing to make a value
// larger than the lab's limit, and to run once the load is stopped (an
// expression cannot be interrupted, but one that loops calls functions);
// none for a file of literals.
func (l *Lab) functions() map[string]function.Function {
	if l.lim.LiteralsOnly {
		return nil
	}
	if l.funcs != nil {
		return l.funcs
	}
	fs := functions()
	limit := l.lim.orDefaults().MaxValueBytes
	for name, f := range fs {
		fs[name] = limited(l.stop, f, limit, name == "format" || name == "formatlist")
	}
	l.funcs = fs
	return fs
}

// limited wraps f so that neither its arguments nor its result exceed
// limit. Arguments are checked first, so that no function makes a huge
// value before it is refused: joining a list of large strings that share
// their memory, or formatting with a large width (formats is whether f
// takes a format string first).
func limited(stop context.Context, f function.Function, limit int, formats bool) function.Function {
	spec := &function.Spec{
		Params:   f.Params(),
		VarParam: f.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			if stop != nil && stop.Err() != nil {
				return cty.NilVal, context.Cause(stop)
			}
			if err := checkArgs(args, limit, formats); err != nil {
				return cty.NilVal, err
			}
			v, err := f.Call(args)
			if err != nil {
				return v, err
			}
			if err := checkValueSize(v, limit); err != nil {
				return cty.NilVal, err
			}
			return v, nil
		},
	}
	return function.New(spec)
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

// widths finds the widths and precisions of a format string's verbs.
var widths = lazy.Regexp(`%[-+# 0]*([0-9]*)(?:\.([0-9]*))?`)

// checkArgs refuses arguments that make a result larger than limit.
func checkArgs(args []cty.Value, limit int, formats bool) error {
	size := 0
	for _, a := range args {
		if err := checkValueSize(a, limit-size); err != nil {
			return fmt.Errorf("the arguments are larger than the limit of %s", byteSize(int64(limit)))
		}
		size += valueSize(a)
	}
	if !formats || len(args) == 0 || !args[0].IsKnown() || args[0].IsNull() || args[0].Type() != cty.String {
		return nil
	}
	// Each verb writes at most its width or precision more than its
	// argument; formatlist writes the format once per element.
	format := args[0].AsString()
	per := len(format)
	for _, m := range widths().FindAllStringSubmatch(format, -1) {
		for _, n := range m[1:] {
			if w, err := strconv.Atoi(n); err == nil {
				per += w
			} else if n != "" {
				per += limit + 1
			}
		}
	}
	times := 1
	for _, a := range args[1:] {
		if a.IsKnown() && !a.IsNull() && (a.Type().IsListType() || a.Type().IsTupleType()) {
			times = max(times, a.LengthInt())
		}
	}
	if per > limit || times*per > limit {
		return fmt.Errorf("formatting would make more than the limit of %s", byteSize(int64(limit)))
	}
	return nil
}
