// Package utf8text turns arbitrary bytes into text that may cross the plugin
// interface: protobuf string fields must hold valid UTF-8, and a message
// with an invalid one cannot be sent at all, so one stray byte from a peer
// (a request for "/%ff") would cost the event stream.
//
// Valid UTF-8 is kept as it is. Each byte that is not part of a valid
// sequence becomes the four characters `\xNN` (lower-case hex), the escape
// Go's %q and Python's "backslashreplace" use. Unlike U+FFFD this keeps
// which bytes came, which is what a student debugging a client needs to
// see; it is for reading, not for decoding back: data that must survive
// exactly travels in bytes fields.
package utf8text

import (
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

const hex = "0123456789abcdef"

// FromBytes returns b as valid UTF-8 text.
func FromBytes(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return escape(b)
}

// String returns s itself when it is valid UTF-8, else s with its invalid
// bytes escaped.
func String(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return escape([]byte(s))
}

func escape(b []byte) string {
	out := make([]byte, 0, len(b)+16)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			out = append(out, '\\', 'x', hex[b[0]>>4], hex[b[0]&0xf])
			b = b[1:]
			continue
		}
		out = append(out, b[:n]...)
		b = b[n:]
	}
	return string(out)
}

// Repair makes every string field of m, nested messages, lists and maps
// included, valid UTF-8 in place, as String does, and returns how many
// strings it changed. After it, proto.Marshal cannot fail on m's text.
// Code that repairs many messages keeps a Repairer instead.
func Repair(m proto.Message) int {
	var r Repairer
	return r.Repair(m)
}

// generatedRepair is a message with Repair generated for its type
// (proto/internal/protoc-gen-socklab): the same walk without reflection,
// whose tables the protobuf runtime builds at a type's first use.
type generatedRepair interface{ RepairText() int }

// Repairer is Repair for many messages: it remembers, per message type,
// which fields can hold text, so that a message is repaired by looking at
// those fields alone. The zero value is ready; it is not safe for
// concurrent use.
type Repairer struct {
	plans    map[protoreflect.FullName]*plan
	building map[protoreflect.FullName]bool // plans being made, for types that contain themselves
}

// plan lists the fields of a message type that are text or may hold some.
type plan struct {
	fields []planField
}

type planField struct {
	fd  protoreflect.FieldDescriptor
	sub *plan // for a message field, a list of messages or a map to messages
}

// Repair is the package's Repair.
func (r *Repairer) Repair(m proto.Message) int {
	if m == nil {
		return 0
	}
	if g, ok := m.(generatedRepair); ok {
		return g.RepairText()
	}
	pm := m.ProtoReflect()
	if !pm.IsValid() {
		return 0
	}
	return repair(pm, r.plan(pm.Descriptor()))
}

func (r *Repairer) plan(md protoreflect.MessageDescriptor) *plan {
	if p, ok := r.plans[md.FullName()]; ok {
		return p
	}
	if r.plans == nil {
		r.plans, r.building = map[protoreflect.FullName]*plan{}, map[protoreflect.FullName]bool{}
	}
	p := &plan{}
	// Stored first: a type that contains itself reaches this plan while it
	// is being made, and keeps it as a field that may hold text.
	r.plans[md.FullName()] = p
	r.building[md.FullName()] = true
	defer delete(r.building, md.FullName())
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		value := fd
		if fd.IsMap() {
			value = fd.MapValue()
		}
		switch {
		case fd.IsMap() && fd.MapKey().Kind() == protoreflect.StringKind:
			f := planField{fd: fd}
			if md := value.Message(); md != nil {
				f.sub = r.plan(md)
			}
			p.fields = append(p.fields, f)
		case value.Kind() == protoreflect.StringKind:
			p.fields = append(p.fields, planField{fd: fd})
		case value.Message() != nil:
			if sub := r.plan(value.Message()); len(sub.fields) > 0 || r.building[value.Message().FullName()] {
				p.fields = append(p.fields, planField{fd: fd, sub: sub})
			}
		}
	}
	return p
}

func repair(m protoreflect.Message, p *plan) int {
	fixed := 0
	for _, f := range p.fields {
		fd := f.fd
		if !m.Has(fd) {
			continue
		}
		v := m.Get(fd)
		switch {
		case fd.IsMap():
			fixed += repairMap(fd, v.Map(), f.sub)
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				if f.sub != nil {
					fixed += repair(l.Get(i).Message(), f.sub)
				} else if s := l.Get(i).String(); !utf8.ValidString(s) {
					l.Set(i, protoreflect.ValueOfString(escape([]byte(s))))
					fixed++
				}
			}
		case f.sub != nil:
			fixed += repair(v.Message(), f.sub)
		default:
			if s := v.String(); !utf8.ValidString(s) {
				m.Set(fd, protoreflect.ValueOfString(escape([]byte(s))))
				fixed++
			}
		}
	}
	return fixed
}

func repairMap(fd protoreflect.FieldDescriptor, mp protoreflect.Map, sub *plan) int {
	fixed := 0
	type entry struct{ old, new protoreflect.MapKey }
	var rekey []entry
	mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		switch {
		case sub != nil:
			fixed += repair(v.Message(), sub)
		case fd.MapValue().Kind() == protoreflect.StringKind:
			if s := v.String(); !utf8.ValidString(s) {
				mp.Set(k, protoreflect.ValueOfString(escape([]byte(s))))
				fixed++
			}
		}
		if fd.MapKey().Kind() == protoreflect.StringKind {
			if s := k.String(); !utf8.ValidString(s) {
				rekey = append(rekey, entry{k, protoreflect.ValueOfString(escape([]byte(s))).MapKey()})
			}
		}
		return true
	})
	// Keys change after the walk: a map must not change under Range.
	for _, e := range rekey {
		v := mp.Get(e.old)
		mp.Clear(e.old)
		mp.Set(e.new, v)
		fixed++
	}
	return fixed
}
