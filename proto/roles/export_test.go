package roles

import (
	"time"

	"google.golang.org/protobuf/proto"
)

// stampByReflection is Stamp by protobuf's reflection even for an event
// with generated code: what the generated code is held to.
func stampByReflection(ev proto.Message, t time.Time) { stamp(ev.ProtoReflect(), t) }
