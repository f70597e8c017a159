package output

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/socklab/socklab/proto/roles"
)

// JSONDocument renders the tables of docs/json.md: for each role and each
// kind of its events, the keys of the "event" object and their JSON types,
// from the role's descriptors; the summary's are those of kind "summary".
func JSONDocument(reg *roles.Registry) string {
	var b strings.Builder
	for _, r := range reg.All() {
		fmt.Fprintf(&b, "### %s\n\n", r.Name)
		ev := r.NewEvent().ProtoReflect().Descriptor()
		od := ev.Oneofs().ByName("event")
		for i := range od.Fields().Len() {
			fd := od.Fields().Get(i)
			fmt.Fprintf(&b, "#### %s `%s`\n\n| key | JSON type |\n|---|---|\n", r.Name, fd.Name())
			rows := jsonKeys(fd.Message(), "")
			if len(rows) == 0 {
				b.WriteString("| (none) | `{}` |\n")
			}
			for _, row := range rows {
				fmt.Fprintf(&b, "| `%s` | %s |\n", row[0], row[1])
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// jsonKeys lists the keys jsonMessage may write for a message of md, with
// their JSON types: nested objects as "a.b", list elements as "a[].b",
// map values as "a.*".
func jsonKeys(md protoreflect.MessageDescriptor, prefix string) [][2]string {
	var rows [][2]string
	fields := md.Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		key := prefix + string(fd.Name())
		switch {
		case fd.IsMap():
			rows = append(rows, [2]string{key, "object: key " + jsonType(fd.MapKey()) + " as text"})
			rows = append(rows, valueKeys(fd.MapValue(), key+".*")...)
		case fd.IsList():
			rows = append(rows, [2]string{key, "list"})
			rows = append(rows, valueKeys(fd, key+"[]")...)
		case fd.Kind() == protoreflect.BytesKind:
			rows = append(rows, [2]string{key, "text (the bytes as UTF-8, U+FFFD for what is not)"},
				[2]string{key + "_base64", "text: the exact bytes in base64, only when they are not UTF-8"})
		case isDuration(fd):
			rows = append(rows, [2]string{key + "_s", "number: seconds"})
		default:
			rows = append(rows, valueKeys(fd, key)...)
		}
	}
	return rows
}

// valueKeys is the row of one value, and its keys if it is an object.
func valueKeys(fd protoreflect.FieldDescriptor, key string) [][2]string {
	row := [2]string{key, jsonType(fd)}
	if fd.Kind() == protoreflect.MessageKind && !isTimeOrDuration(fd) {
		return append([][2]string{row}, jsonKeys(fd.Message(), key+".")...)
	}
	return [][2]string{row}
}

func isTimeOrDuration(fd protoreflect.FieldDescriptor) bool {
	n := fd.Message().FullName()
	return n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration"
}

func jsonType(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return "true or false"
	case protoreflect.StringKind:
		return "text"
	case protoreflect.BytesKind:
		return "text"
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		return "number (null if not finite)"
	case protoreflect.EnumKind:
		var names []string
		for i := range fd.Enum().Values().Len() {
			names = append(names, "`"+string(fd.Enum().Values().Get(i).Name())+"`")
		}
		return "text: " + strings.Join(names, ", ")
	case protoreflect.MessageKind:
		switch fd.Message().FullName() {
		case "google.protobuf.Timestamp":
			return "text: RFC 3339 time"
		case "google.protobuf.Duration":
			return "number: seconds"
		}
		return "object"
	}
	return "number: integer"
}
