// Package prototest builds, for tests, every message of proto/socklab/v1
// with every field set, to hold the code generated for them (vtprotobuf's,
// protoc-gen-socklab's) to what protobuf's reflection does with the same
// message.
package prototest

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/socklab/socklab/proto/socklabpb" // registers the types
)

// Messages lists the message types of proto/socklab/v1, nested ones
// included.
func Messages() []protoreflect.MessageType {
	var types []protoreflect.MessageType
	protoregistry.GlobalTypes.RangeMessages(func(mt protoreflect.MessageType) bool {
		if strings.HasPrefix(string(mt.Descriptor().FullName()), "socklab.v1.") && !mt.Descriptor().IsMapEntry() {
			types = append(types, mt)
		}
		return true
	})
	return types
}

// Variants is how many messages of a type Filled returns: enough for
// every field of every oneof to be the one set in one of them.
func Variants(md protoreflect.MessageDescriptor) int {
	n := 1
	for i := 0; i < md.Oneofs().Len(); i++ {
		n = max(n, md.Oneofs().Get(i).Fields().Len())
	}
	return n
}

// Fill sets every field of m, nested messages to depth levels, lists and
// maps to two entries, each oneof to its field number variant (modulo its
// size); every string set is text().
func Fill(m protoreflect.Message, variant, depth int, text func() string) {
	md := m.Descriptor()
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if od := fd.ContainingOneof(); od != nil && !od.IsSynthetic() && od.Fields().Get(variant%od.Fields().Len()) != fd {
			continue
		}
		switch {
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			for k := range 2 {
				key := value(fd.MapKey(), k, text).MapKey()
				if fd.MapValue().Message() != nil {
					if depth > 0 {
						Fill(mp.Mutable(key).Message(), variant, depth-1, text)
					}
					continue
				}
				mp.Set(key, value(fd.MapValue(), k, text))
			}
		case fd.IsList():
			l := m.Mutable(fd).List()
			for k := range 2 {
				if fd.Message() != nil {
					if depth > 0 {
						e := l.NewElement()
						Fill(e.Message(), variant, depth-1, text)
						l.Append(e)
					}
					continue
				}
				l.Append(value(fd, k, text))
			}
		case fd.Message() != nil:
			if depth > 0 {
				Fill(m.Mutable(fd).Message(), variant, depth-1, text)
			}
		default:
			m.Set(fd, value(fd, 0, text))
		}
	}
}

// value is a value of fd's kind, different for each k, never the zero
// value.
func value(fd protoreflect.FieldDescriptor, k int, text func() string) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get((1 + k) % vals.Len()).Number())
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(int32(-300 - k))
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(int64(-1<<40 - k))
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(uint32(300 + k))
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(uint64(1<<40 + k))
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(float32(1.5 + float32(k)))
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(2.25 + float64(k))
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(text() + string(rune('a'+k)))
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte{0xff, 0, byte(k)})
	}
	panic("prototest: no value for kind " + fd.Kind().String())
}
