package run

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/socklab/socklab/host/text"
	"github.com/socklab/socklab/proto/roles"
)

// The Run stream is decoded here rather than by gRPC: gRPC's protobuf
// codec rejects a whole message, and with it the stream, when one string
// in it is not valid UTF-8, and the component would be lost with no word
// of why. relayCodec hands the host each message's bytes; decodeBatch
// reads them one event at a time, shows an invalid string escaped (\xNN)
// and says which event and field it was in; a message that is not a batch
// at all fails the component, naming why.

// rawFrame is one message of the Run stream as it came.
type rawFrame struct{ data []byte }

// relayCodec sends protobuf messages and receives raw frames. Its name is
// "proto", so that the plugin sees an ordinary protobuf call.
type relayCodec struct{}

func (relayCodec) Name() string { return "proto" }

func (relayCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("relay: cannot send a %T", v)
	}
	return proto.Marshal(m)
}

func (relayCodec) Unmarshal(data []byte, v any) error {
	f, ok := v.(*rawFrame)
	if !ok {
		return fmt.Errorf("relay: cannot receive into a %T", v)
	}
	f.data = slices.Clone(data)
	return nil
}

// badField is a string field of an event that was not valid UTF-8.
type badField struct {
	kind  string // the event, e.g. "request"
	field string // its path within the event, e.g. "request.path"
	value string // the value as shown, escaped
}

// decodeBatch reads a batch of role's events from its wire form. Strings
// that are not valid UTF-8 are escaped and listed in bad; any other
// fault is an error naming the event it is in.
func decodeBatch(role roles.Role, data []byte) (events []proto.Message, bad []badField, err error) {
	batch := role.NewBatch().ProtoReflect().Descriptor()
	eventsField := batch.Fields().ByName("events")
	for n := 0; len(data) > 0; {
		num, typ, size := protowire.ConsumeTag(data)
		if size < 0 {
			return events, bad, fmt.Errorf("not a batch of %s events: %v", role.Name, protowire.ParseError(size))
		}
		data = data[size:]
		if num != eventsField.Number() || typ != protowire.BytesType {
			if size = protowire.ConsumeFieldValue(num, typ, data); size < 0 {
				return events, bad, fmt.Errorf("not a batch of %s events: field %d: %v", role.Name, num, protowire.ParseError(size))
			}
			data = data[size:]
			continue
		}
		raw, size := protowire.ConsumeBytes(data)
		if size < 0 {
			return events, bad, fmt.Errorf("event %d of a batch is cut short: %v", n+1, protowire.ParseError(size))
		}
		data = data[size:]
		n++
		ev, fixed, err := decodeEvent(role, raw)
		if err != nil {
			return events, bad, fmt.Errorf("event %d of a batch is malformed: %v", n, err)
		}
		events = append(events, ev)
		bad = append(bad, fixed...)
	}
	return events, bad, nil
}

// decodeEvent decodes one event, escaping strings that are not UTF-8.
func decodeEvent(role roles.Role, raw []byte) (proto.Message, []badField, error) {
	ev := role.NewEvent()
	err := proto.Unmarshal(raw, ev)
	if err == nil {
		return ev, nil, nil
	}
	var bad []badField
	repaired, rerr := escapeStrings(raw, ev.ProtoReflect().Descriptor(), "", &bad)
	if rerr != nil || len(bad) == 0 {
		return nil, nil, err // not a UTF-8 matter: the first error says it best
	}
	ev = role.NewEvent()
	if err := proto.Unmarshal(repaired, ev); err != nil {
		return nil, nil, err
	}
	kind, _, _ := roles.Unpack(ev)
	for i := range bad {
		bad[i].kind = kind
	}
	return ev, bad, nil
}

// escapeStrings rewrites a message's wire form with every string field
// that is not valid UTF-8 escaped, recording each in bad.
func escapeStrings(data []byte, md protoreflect.MessageDescriptor, path string, bad *[]badField) ([]byte, error) {
	out := make([]byte, 0, len(data)+16)
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		tag := data[:n]
		data = data[n:]
		fd := md.Fields().ByNumber(num)
		if typ == protowire.BytesType && fd != nil && (fd.Kind() == protoreflect.StringKind || fd.Kind() == protoreflect.MessageKind) {
			v, m := protowire.ConsumeBytes(data)
			if m < 0 {
				return nil, protowire.ParseError(m)
			}
			data = data[m:]
			name := path + string(fd.Name())
			if fd.Kind() == protoreflect.StringKind {
				if !utf8.Valid(v) {
					shown := text.Bytes(v)
					*bad = append(*bad, badField{field: name, value: shown})
					v = []byte(shown)
				}
			} else {
				var err error
				if v, err = escapeStrings(v, fd.Message(), name+".", bad); err != nil {
					return nil, err
				}
			}
			out = append(out, tag...)
			out = protowire.AppendBytes(out, v)
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, data)
		if m < 0 {
			return nil, protowire.ParseError(m)
		}
		out = append(out, tag...)
		out = append(out, data[:m]...)
		data = data[m:]
	}
	return out, nil
}

// String says what was wrong, for the component's log.
func (b badField) String() string {
	return fmt.Sprintf("its %q event's field %s was not valid UTF-8 (a string must be text; bytes belong in a bytes field); shown escaped: %s",
		b.kind, b.field, text.Cut(b.value, 200))
}

// badFields remembers which fields were reported, so that a component
// that sends the same bad field in every event is told once, with a
// count at the end.
type badFields struct {
	seen  map[string]bool
	count int
}

// note returns the fields not reported before.
func (s *badFields) note(bad []badField) []badField {
	var fresh []badField
	for _, b := range bad {
		s.count++
		key := b.kind + "\x00" + b.field
		if s.seen == nil {
			s.seen = map[string]bool{}
		}
		if !s.seen[key] {
			s.seen[key] = true
			fresh = append(fresh, b)
		}
	}
	return fresh
}

// summary is the closing count, "" when every bad field was reported.
func (s *badFields) summary() string {
	if s.count <= len(s.seen) {
		return ""
	}
	keys := make([]string, 0, len(s.seen))
	for k := range s.seen {
		keys = append(keys, strings.ReplaceAll(k, "\x00", " "))
	}
	slices.Sort(keys)
	return fmt.Sprintf("%d strings in all were not valid UTF-8 (%s) and were shown escaped", s.count, strings.Join(keys, ", "))
}
