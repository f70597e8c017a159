package run

import (
	"fmt"
	"math"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// clockSlack is how far outside the run an event's time may be before it
// is taken for a wrong clock: a plugin's clock is the host's, so anything
// beyond is a bug of the plugin's.
const clockSlack = time.Second

// Events are checked once, here, for every plugin: what the protocol
// forbids ends the component with a named problem; a time outside the
// run is replaced by the time the event was received, and flagged.

// eventTime is the time an event carries: ok is false when it is unset or
// not a valid time (seconds out of range, nanoseconds over a second).
func eventTime(ev proto.Message) (at time.Time, set, ok bool) {
	m := ev.ProtoReflect()
	fd := m.Descriptor().Fields().ByName("time")
	if fd == nil || !m.Has(fd) {
		return time.Time{}, false, false
	}
	ts, isTS := m.Get(fd).Message().Interface().(*timestamppb.Timestamp)
	if !isTS || ts.CheckValid() != nil {
		return time.Time{}, true, false
	}
	return ts.AsTime(), true, true
}

// when says when an event happened: its own time if it lies within the
// run, else received, with a note saying why its own was not taken.
func when(ev proto.Message, start, received time.Time) (time.Time, string) {
	at, set, ok := eventTime(ev)
	switch {
	case !set:
		return received, ""
	case !ok:
		ts := ev.ProtoReflect().Get(ev.ProtoReflect().Descriptor().Fields().ByName("time")).Message().Interface().(*timestamppb.Timestamp)
		return received, fmt.Sprintf("is dated with an invalid time (seconds %d, nanos %d)", ts.GetSeconds(), ts.GetNanos())
	case at.Before(start.Add(-clockSlack)):
		return received, fmt.Sprintf("is dated %s, before the run started (%s)", at.UTC().Format(time.RFC3339Nano), start.UTC().Format(time.RFC3339Nano))
	case at.After(received.Add(clockSlack)):
		return received, fmt.Sprintf("is dated %s, in the future (received %s)", at.UTC().Format(time.RFC3339Nano), received.UTC().Format(time.RFC3339Nano))
	}
	return at, ""
}

// badValue names a number in an event body that no event may hold: a
// negative count or time, a percentage outside 0..100, or a float that is
// not a number. It returns "" when the body is sound.
func badValue(body protoreflect.Message, path string) string {
	if body.Descriptor().FullName() == "google.protobuf.Timestamp" {
		return ""
	}
	var bad string
	body.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := path + string(fd.Name())
		if fd.IsList() || fd.IsMap() {
			return true // no role's event holds numbers in lists
		}
		switch fd.Kind() {
		case protoreflect.MessageKind:
			bad = badValue(v.Message(), name+".")
		case protoreflect.Int32Kind, protoreflect.Int64Kind, protoreflect.Sint32Kind, protoreflect.Sint64Kind,
			protoreflect.Sfixed32Kind, protoreflect.Sfixed64Kind:
			if v.Int() < 0 {
				bad = fmt.Sprintf("%s is %d, negative", name, v.Int())
			}
		case protoreflect.FloatKind, protoreflect.DoubleKind:
			f := v.Float()
			switch {
			case math.IsNaN(f) || math.IsInf(f, 0):
				bad = fmt.Sprintf("%s is %v, not a number", name, f)
			case f < 0:
				bad = fmt.Sprintf("%s is %v, negative", name, f)
			case strings.HasSuffix(string(fd.Name()), "percent") && f > 100:
				bad = fmt.Sprintf("%s is %v, over 100", name, f)
			}
		}
		return bad == ""
	})
	return bad
}
