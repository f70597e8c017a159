package output

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/host/text"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Describe renders one event of a component of role as a line a student
// recognises: the lab sheet's own wording where the role's Describe has
// one, "kind field=value ..." otherwise.
func Describe(role roles.Role, kind string, body proto.Message) string {
	if body == nil {
		return kind
	}
	switch b := body.(type) {
	case *pb.Ready:
		return "ready on " + b.Address
	case *pb.Log:
		return b.Message
	}
	if role.Describe != nil {
		if s := role.Describe(body); s != "" {
			return s
		}
	}
	return generic(kind, body)
}

// generic renders any message as "kind field=value ...", fields in the
// order the .proto declares them (Range's order is undefined, and differs
// from one binary to the next).
func generic(kind string, body proto.Message) string {
	parts := []string{kind}
	m := body.ProtoReflect()
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		if fd := fields.Get(i); m.Has(fd) {
			parts = append(parts, string(fd.Name())+"="+fieldText(fd, m.Get(fd)))
		}
	}
	return strings.Join(parts, " ")
}

func fieldText(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch {
	case fd.IsList():
		var items []string
		for i := 0; i < v.List().Len(); i++ {
			items = append(items, scalarText(fd, v.List().Get(i)))
		}
		return "[" + strings.Join(items, " ") + "]"
	case fd.IsMap():
		var items []string
		v.Map().Range(func(k protoreflect.MapKey, e protoreflect.Value) bool {
			items = append(items, k.String()+":"+scalarText(fd.MapValue(), e))
			return true
		})
		sort.Strings(items)
		return "{" + strings.Join(items, " ") + "}"
	}
	return scalarText(fd, v)
}

func scalarText(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	switch fd.Kind() {
	case protoreflect.BytesKind:
		return text.Quote(v.Bytes())
	case protoreflect.StringKind:
		if strings.ContainsAny(v.String(), " \"") {
			return strconv.Quote(v.String())
		}
		return v.String()
	case protoreflect.EnumKind:
		return string(fd.Enum().Values().ByNumber(v.Enum()).Name())
	case protoreflect.MessageKind:
		switch msg := v.Message().Interface().(type) {
		case *durationpb.Duration:
			return msg.AsDuration().String()
		case *timestamppb.Timestamp:
			return msg.AsTime().Format(time.RFC3339Nano)
		default:
			return "{" + generic("", msg)[1:] + "}"
		}
	}
	return v.String()
}
