package roles

import (
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// Every role's event message has a "time" field and a oneof named "event";
// Run streams batches whose "events" field lists them.
const (
	eventOneof  = "event"
	timeField   = "time"
	batchEvents = "events"
)

// Events lists the events of a batch, in order.
func Events(batch proto.Message) []proto.Message {
	m := batch.ProtoReflect()
	list := m.Get(m.Descriptor().Fields().ByName(batchEvents)).List()
	evs := make([]proto.Message, list.Len())
	for i := range evs {
		evs[i] = list.Get(i).Message().Interface()
	}
	return evs
}

// Unpack splits a role event into the name of the oneof field that is set
// ("ready", "reply", "summary", ...), that field's message, and the event's
// time (zero if unset). An event with nothing set has kind "".
func Unpack(ev proto.Message) (kind string, body proto.Message, at time.Time) {
	m := ev.ProtoReflect()
	if ts, ok := m.Get(m.Descriptor().Fields().ByName(timeField)).Message().Interface().(*timestamppb.Timestamp); ok && ts != nil {
		at = ts.AsTime()
	}
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName(eventOneof))
	if fd == nil {
		return "", nil, at
	}
	return string(fd.Name()), m.Get(fd).Message().Interface(), at
}

// generatedStamp is an event with Stamp generated for its type
// (proto/internal/protoc-gen-socklab), which needs no reflection.
type generatedStamp interface{ SetTimeUnlessSet(time.Time) }

// Stamp sets the event's time to t unless it is already set.
func Stamp(ev proto.Message, t time.Time) {
	if g, ok := ev.(generatedStamp); ok {
		g.SetTimeUnlessSet(t)
		return
	}
	stamp(ev.ProtoReflect(), t)
}

func stamp(m protoreflect.Message, t time.Time) {
	fd := m.Descriptor().Fields().ByName(timeField)
	if m.Has(fd) {
		return
	}
	m.Set(fd, protoreflect.ValueOfMessage(timestamppb.New(t).ProtoReflect()))
}

// EventKinds lists the kinds of event a role can send.
func (r Role) EventKinds() []string {
	od := r.event().Oneofs().ByName(eventOneof)
	var kinds []string
	for i := 0; i < od.Fields().Len(); i++ {
		kinds = append(kinds, string(od.Fields().Get(i).Name()))
	}
	return kinds
}
