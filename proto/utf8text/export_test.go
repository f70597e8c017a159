package utf8text

import "google.golang.org/protobuf/proto"

// ReflectiveRepair is Repair by protobuf's reflection even for a message
// with generated code: what the generated code is held to.
func ReflectiveRepair(m proto.Message) int {
	var r Repairer
	pm := m.ProtoReflect()
	if !pm.IsValid() {
		return 0
	}
	return repair(pm, r.plan(pm.Descriptor()))
}
