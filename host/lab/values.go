package lab

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// invalid is the diagnostic for an attribute whose value does not fit.
func invalid(a *hcl.Attribute, format string, args ...any) hcl.Diagnostics {
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid value for " + a.Name,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  a.Expr.Range().Ptr(),
	}}
}

// eval evaluates an attribute and converts it to want; ok is false when
// there was nothing usable. A null value is nothing, without diagnostics
// (the setting keeps its default), and so is an unknown one (an address
// known only once its server runs); a null inside a list or map is an
// error.
func eval(a *hcl.Attribute, ctx *hcl.EvalContext, want cty.Type) (cty.Value, bool, hcl.Diagnostics) {
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() || v.IsNull() || !v.IsWhollyKnown() {
		return v, false, diags
	}
	c, err := convert.Convert(v, want)
	if err != nil {
		return v, false, invalid(a, "Expected %s, got %s: %v.", want.FriendlyName(), v.Type().FriendlyName(), err)
	}
	if p := nullInside(c); p != nil {
		return v, false, invalid(a, "%s is null; write a %s.", describePath(p), elementName(want))
	}
	return c, true, diags
}

// nullInside returns the path of the first null element of a collection.
func nullInside(v cty.Value) cty.Path {
	var found cty.Path
	_ = cty.Walk(v, func(p cty.Path, e cty.Value) (bool, error) {
		if found == nil && len(p) > 0 && e.IsNull() {
			found = p.Copy()
		}
		return found == nil, nil
	})
	return found
}

// describePath names an element as a reader counts: "Element 1", "Key \"A\"".
func describePath(p cty.Path) string {
	var parts []string
	for _, step := range p {
		idx, ok := step.(cty.IndexStep)
		if !ok {
			continue
		}
		switch {
		case idx.Key.Type() == cty.String:
			parts = append(parts, fmt.Sprintf("key %q", idx.Key.AsString()))
		case idx.Key.Type() == cty.Number:
			n, _ := idx.Key.AsBigFloat().Int64()
			parts = append(parts, fmt.Sprintf("element %d", n+1))
		}
	}
	if len(parts) == 0 {
		return "A value"
	}
	s := strings.Join(parts, ", ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// elementName is what a collection of type t holds, for messages.
func elementName(t cty.Type) string {
	if t.IsCollectionType() {
		return t.ElementType().FriendlyName()
	}
	return t.FriendlyName()
}

func decodeString(a *hcl.Attribute, ctx *hcl.EvalContext, dst *string) hcl.Diagnostics {
	v, ok, diags := eval(a, ctx, cty.String)
	if ok {
		*dst = v.AsString()
	}
	return diags
}

func decodeBool(a *hcl.Attribute, ctx *hcl.EvalContext, dst *bool) hcl.Diagnostics {
	v, ok, diags := eval(a, ctx, cty.Bool)
	if ok {
		*dst = v.True()
	}
	return diags
}

func decodeInt(a *hcl.Attribute, ctx *hcl.EvalContext, dst *int64) hcl.Diagnostics {
	v, ok, diags := eval(a, ctx, cty.Number)
	if !ok {
		return diags
	}
	n, err := integer(v.AsBigFloat(), -1<<63, 1<<63-1)
	if err != nil {
		return append(diags, invalid(a, "%v.", err)...)
	}
	*dst = n
	return diags
}

// integer checks that f is a whole number within [lo, hi].
func integer(f *big.Float, lo, hi int64) (int64, error) {
	if !f.IsInt() {
		return 0, fmt.Errorf("%s is not a whole number", f.Text('g', 10))
	}
	n, acc := f.Int64()
	if acc != big.Exact || n < lo || n > hi {
		return 0, fmt.Errorf("%s is out of range [%d, %d]", f.Text('g', 20), lo, hi)
	}
	return n, nil
}

// decodeDuration reads a Go duration string such as "1s" or "250ms".
func decodeDuration(a *hcl.Attribute, ctx *hcl.EvalContext, dst *time.Duration, mustBePositive bool) hcl.Diagnostics {
	v, ok, diags := eval(a, ctx, cty.String)
	if !ok {
		return diags
	}
	d, err := parseDuration(v.AsString())
	if err == nil && mustBePositive && d <= 0 {
		err = fmt.Errorf("must be more than 0")
	}
	if err != nil {
		return append(diags, invalid(a, "%v.", err)...)
	}
	*dst = d
	return diags
}

func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write a number with a unit, like \"1s\", \"250ms\" or \"2m\"", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}
