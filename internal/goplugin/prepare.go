package goplugin

import (
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// RolesEnv names, in a plugin's environment, the roles the host will ask
// it to run, comma-separated in the order it will ask (servers first), so
// that the plugin prepares them before their Run calls (Prepare): the Go
// SDK prepares those it did not start early (EarlyEnv), once the early
// ones have had their calls.
const RolesEnv = "SOCKLAB_ROLES"

// RolesValue is RolesEnv's value for roles.
func RolesValue(roles []string) string { return strings.Join(roles, ",") }

// Roles reads RolesEnv's value.
func Roles(value string) []string {
	if value == "" {
		return nil
	}
	return strings.Split(value, ",")
}

// Prepare initialises the Go protobuf types of a role's Run: its settings,
// its batch and every message they hold. The protobuf runtime builds each
// type's tables on first use, about 0.1-0.5 ms a role, and one process
// serves several roles: done while the host connects, this is off the
// path from a Run call to the role's first event.
func Prepare(service protoreflect.ServiceDescriptor) {
	run := service.Methods().ByName("Run")
	if run == nil {
		return
	}
	seen := map[protoreflect.FullName]bool{}
	prepare(run.Input(), seen)
	prepare(run.Output(), seen)
}

func prepare(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) {
	if seen[md.FullName()] {
		return
	}
	seen[md.FullName()] = true
	if mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName()); err == nil {
		proto.Size(mt.New().Interface()) // builds the type's tables
	}
	fields := md.Fields()
	for i := range fields.Len() {
		if m := fields.Get(i).Message(); m != nil {
			prepare(m, seen)
		}
	}
}
