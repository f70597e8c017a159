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
func Repair(m proto.Message) int {
	if m == nil {
		return 0
	}
	return repair(m.ProtoReflect())
}

func repair(m protoreflect.Message) int {
	fixed := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsMap():
			fixed += repairMap(fd, v.Map())
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				switch fd.Kind() {
				case protoreflect.StringKind:
					if s := l.Get(i).String(); !utf8.ValidString(s) {
						l.Set(i, protoreflect.ValueOfString(escape([]byte(s))))
						fixed++
					}
				case protoreflect.MessageKind, protoreflect.GroupKind:
					fixed += repair(l.Get(i).Message())
				}
			}
		case fd.Kind() == protoreflect.StringKind:
			if s := v.String(); !utf8.ValidString(s) {
				m.Set(fd, protoreflect.ValueOfString(escape([]byte(s))))
				fixed++
			}
		case fd.Kind() == protoreflect.MessageKind || fd.Kind() == protoreflect.GroupKind:
			fixed += repair(v.Message())
		}
		return true
	})
	return fixed
}

func repairMap(fd protoreflect.FieldDescriptor, mp protoreflect.Map) int {
	fixed := 0
	type entry struct{ old, new protoreflect.MapKey }
	var rekey []entry
	mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		switch fd.MapValue().Kind() {
		case protoreflect.StringKind:
			if s := v.String(); !utf8.ValidString(s) {
				mp.Set(k, protoreflect.ValueOfString(escape([]byte(s))))
				fixed++
			}
		case protoreflect.MessageKind, protoreflect.GroupKind:
			fixed += repair(v.Message())
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
