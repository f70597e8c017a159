package lab

import (
	"fmt"
	"math"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/proto/roles"
)

// A role's settings in a lab file are the fields of its config message,
// named as in the .proto file; this file maps HCL values onto them.

const durationName = "google.protobuf.Duration"

// settingsSchema is what a component block may contain: one attribute per
// config field, a plugin block and a link block.
func settingsSchema(role roles.Role) *hcl.BodySchema {
	s := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "plugin"}, {Type: "link"}}}
	fields := role.Config().Fields()
	for i := 0; i < fields.Len(); i++ {
		name := string(fields.Get(i).Name())
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: name, Required: slices.Contains(role.Required, name)})
	}
	return s
}

// decodeSettings builds c's config from the role's defaults and the lab
// file's attributes, evaluated in ctx.
func (l *Lab) decodeSettings(c *Component, ctx *hcl.EvalContext) (proto.Message, hcl.Diagnostics) {
	cfg := c.Role.Defaults()
	m := cfg.ProtoReflect()
	fields := m.Descriptor().Fields()
	var diags hcl.Diagnostics
	later := map[string]bool{} // known only at run time: not checked now
	for _, a := range sortedAttrs(c.attrs) {
		if v, d := a.Expr.Value(ctx); !d.HasErrors() && !v.IsWhollyKnown() {
			later[a.Name] = true
			continue
		}
		diags = append(diags, setField(m, fields.ByName(protoreflect.Name(a.Name)), a, ctx)...)
	}
	if diags.HasErrors() {
		return cfg, diags
	}
	if fd := fields.ByName("seed"); fd != nil && c.attrs["seed"] == nil {
		m.Set(fd, protoreflect.ValueOfInt64(l.ComponentSeed(c)))
	}
	for _, name := range c.Role.PathFields {
		fd := fields.ByName(protoreflect.Name(name))
		if p := m.Get(fd).String(); !filepath.IsAbs(p) {
			m.Set(fd, protoreflect.ValueOfString(filepath.Join(l.Dir, p)))
		}
	}
	if name := c.Role.AddressField; name != "" && !later[name] {
		addr := m.Get(fields.ByName(protoreflect.Name(name))).String()
		if err := checkAddress(addr, c.Role.Side == roles.Client); err != nil {
			diags = append(diags, c.fieldDiagnostic(name, err.Error()))
		}
	}
	for _, fe := range c.Role.Check(cfg) {
		if !later[fe.Field] {
			diags = append(diags, c.fieldDiagnostic(fe.Field, fe.Message+"."))
		}
	}
	return cfg, diags
}

// fieldDiagnostic points at the attribute setting field, or at the block
// when the value is a default.
func (c *Component) fieldDiagnostic(field, detail string) *hcl.Diagnostic {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for " + field, Detail: detail, Subject: c.DeclRange.Ptr()}
	if a, ok := c.attrs[field]; ok {
		d.Subject = a.Expr.Range().Ptr()
	} else {
		d.Detail += " (this is the default; set " + field + " in the block)"
	}
	return d
}

// checkAddress wants "host:port"; a client must name a real port.
func checkAddress(addr string, dialing bool) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not a host:port address; write it like \"127.0.0.1:12000\"", addr)
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return fmt.Errorf("%q has no valid port number (0 to 65535)", addr)
	}
	if dialing && n == 0 {
		return fmt.Errorf("%q has port 0: a client must be given the server's real port", addr)
	}
	return nil
}

// setField evaluates a and stores it in m's field fd.
func setField(m protoreflect.Message, fd protoreflect.FieldDescriptor, a *hcl.Attribute, ctx *hcl.EvalContext) hcl.Diagnostics {
	switch {
	case fd.IsMap():
		v, ok, diags := eval(a, ctx, cty.Map(ctyType(fd.MapValue())))
		if !ok {
			return diags
		}
		mp := m.NewField(fd).Map()
		for k, e := range v.AsValueMap() {
			pv, err := protoValue(fd.MapValue(), e)
			if err != nil {
				return append(diags, invalid(a, "%s: %v.", k, err)...)
			}
			mp.Set(protoreflect.ValueOfString(k).MapKey(), pv)
		}
		m.Set(fd, protoreflect.ValueOfMap(mp))
		return diags
	case fd.IsList():
		v, ok, diags := eval(a, ctx, cty.List(ctyType(fd)))
		if !ok {
			return diags
		}
		list := m.NewField(fd).List()
		for i, e := range v.AsValueSlice() {
			pv, err := protoValue(fd, e)
			if err != nil {
				return append(diags, invalid(a, "Element %d: %v.", i, err)...)
			}
			list.Append(pv)
		}
		m.Set(fd, protoreflect.ValueOfList(list))
		return diags
	default:
		v, ok, diags := eval(a, ctx, ctyType(fd))
		if !ok {
			return diags
		}
		pv, err := protoValue(fd, v)
		if err != nil {
			return append(diags, invalid(a, "%v.", err)...)
		}
		m.Set(fd, pv)
		return diags
	}
}

// ctyType is the HCL type a field is written as: durations and enums are strings.
func ctyType(fd protoreflect.FieldDescriptor) cty.Type {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return cty.Bool
	case protoreflect.StringKind, protoreflect.EnumKind, protoreflect.MessageKind:
		return cty.String
	default:
		return cty.Number
	}
}

func protoValue(fd protoreflect.FieldDescriptor, v cty.Value) (protoreflect.Value, error) {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(v.AsString()), nil
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(v.True()), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := integer(v.AsBigFloat(), math.MinInt32, math.MaxInt32)
		return protoreflect.ValueOfInt32(int32(n)), err
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := integer(v.AsBigFloat(), math.MinInt64, math.MaxInt64)
		return protoreflect.ValueOfInt64(n), err
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := integer(v.AsBigFloat(), 0, math.MaxUint32)
		return protoreflect.ValueOfUint32(uint32(n)), err
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := integer(v.AsBigFloat(), 0, math.MaxInt64)
		return protoreflect.ValueOfUint64(uint64(n)), err
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		f, _ := v.AsBigFloat().Float64()
		return protoreflect.ValueOfFloat64(f), nil
	case protoreflect.EnumKind:
		return enumValue(fd.Enum(), v.AsString())
	case protoreflect.MessageKind:
		if fd.Message().FullName() == durationName {
			d, err := parseDuration(v.AsString())
			return protoreflect.ValueOfMessage(durationpb.New(d).ProtoReflect()), err
		}
	}
	return protoreflect.Value{}, fmt.Errorf("field %s of kind %s cannot be set from a lab file", fd.Name(), fd.Kind())
}

// enumValue maps a lab-file name like "per_connection" to the enum value
// CONCURRENCY_PER_CONNECTION.
func enumValue(ed protoreflect.EnumDescriptor, name string) (protoreflect.Value, error) {
	prefix := enumPrefix(ed)
	var valid []string
	values := ed.Values()
	for i := 0; i < values.Len(); i++ {
		full := string(values.Get(i).Name())
		short := strings.ToLower(strings.TrimPrefix(full, prefix))
		if values.Get(i).Number() == 0 {
			continue // UNSPECIFIED
		}
		if short == strings.ToLower(name) {
			return protoreflect.ValueOfEnum(values.Get(i).Number()), nil
		}
		valid = append(valid, strconv.Quote(short))
	}
	return protoreflect.Value{}, fmt.Errorf("%q is not one of %s", name, strings.Join(valid, ", "))
}

// enumPrefix is the upper snake case of the enum's name plus "_".
func enumPrefix(ed protoreflect.EnumDescriptor) string {
	var b strings.Builder
	for i, r := range string(ed.Name()) {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String() + "_"
}

// ctyValue is the lab-file form of a config field, for references.
func ctyValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) cty.Value {
	switch {
	case fd.IsMap():
		vals := map[string]cty.Value{}
		v.Map().Range(func(k protoreflect.MapKey, e protoreflect.Value) bool {
			vals[k.String()] = ctyValue(fd.MapValue(), e)
			return true
		})
		if len(vals) == 0 {
			return cty.MapValEmpty(ctyType(fd.MapValue()))
		}
		return cty.MapVal(vals)
	case fd.IsList():
		var vals []cty.Value
		for i := 0; i < v.List().Len(); i++ {
			vals = append(vals, scalarCty(fd, v.List().Get(i)))
		}
		if len(vals) == 0 {
			return cty.ListValEmpty(ctyType(fd))
		}
		return cty.ListVal(vals)
	}
	return scalarCty(fd, v)
}

func scalarCty(fd protoreflect.FieldDescriptor, v protoreflect.Value) cty.Value {
	switch fd.Kind() {
	case protoreflect.StringKind:
		return cty.StringVal(v.String())
	case protoreflect.BoolKind:
		return cty.BoolVal(v.Bool())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return cty.NumberIntVal(v.Int())
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return cty.NumberUIntVal(v.Uint())
	case protoreflect.DoubleKind, protoreflect.FloatKind:
		return cty.NumberFloatVal(v.Float())
	case protoreflect.EnumKind:
		name := string(fd.Enum().Values().ByNumber(v.Enum()).Name())
		return cty.StringVal(strings.ToLower(strings.TrimPrefix(name, enumPrefix(fd.Enum()))))
	case protoreflect.MessageKind:
		if d, ok := v.Message().Interface().(*durationpb.Duration); ok {
			return cty.StringVal(d.AsDuration().String())
		}
	}
	return cty.NullVal(cty.DynamicPseudoType)
}
