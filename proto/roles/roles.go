// Package roles is the catalogue of socklab roles. For each role it knows
// the name used in lab files and in the plugin handshake, the gRPC service a
// plugin serves for it, whether it is a server or a client, the defaults of
// its settings and the checks on them. The host and the plugin SDK both read
// it, so a role is added here once.
package roles

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Side is which end of a lab a role is, and so how its Run ends.
type Side int

const (
	// Server roles bind a socket, send Ready, and run until stopped.
	Server Side = iota + 1
	// Client roles run to completion.
	Client
)

func (s Side) String() string {
	switch s {
	case Server:
		return "server"
	case Client:
		return "client"
	}
	return fmt.Sprintf("Side(%d)", int(s))
}

// FieldError is a setting that makes no sense, named by its config field.
type FieldError struct {
	Field   string
	Message string
}

// Role describes one role.
type Role struct {
	// Name is the block type in lab files and the plugin name in the
	// handshake, e.g. "ping_client".
	Name string
	Side Side
	// Service is the gRPC service a plugin serves for the role.
	Service protoreflect.ServiceDescriptor
	// Defaults returns a new config with every default filled in.
	Defaults func() proto.Message
	// Check reports settings that make no sense.
	Check func(cfg proto.Message) []FieldError
	// AddressField is, for a server, the config field with the address it
	// binds and, for a client, the field with the server address it reaches.
	AddressField string
	// Required lists the config fields a lab file must set.
	Required []string
	// PathFields are file system paths, resolved against the lab file's
	// directory.
	PathFields []string
	// Transport is what the role's sockets speak, and so which kind of
	// link the host puts between a client and its server.
	Transport Transport
}

// Transport is the protocol a role's sockets speak; its value is Go's
// network name.
type Transport string

const (
	UDP Transport = "udp"
	TCP Transport = "tcp"
)

// Config is the descriptor of the role's settings message.
func (r Role) Config() protoreflect.MessageDescriptor { return r.run().Input() }

// NewEvent returns an empty event message of the role.
func (r Role) NewEvent() proto.Message { return newMessage(r.Name, r.event()) }

// NewBatch returns an empty message of what Run streams: a batch of events.
func (r Role) NewBatch() proto.Message { return newMessage(r.Name, r.run().Output()) }

// event is the descriptor of the role's event: the element of a batch.
func (r Role) event() protoreflect.MessageDescriptor {
	return r.run().Output().Fields().ByName(batchEvents).Message()
}

func newMessage(role string, d protoreflect.MessageDescriptor) proto.Message {
	mt, err := protoregistry.GlobalTypes.FindMessageByName(d.FullName())
	if err != nil {
		panic(fmt.Sprintf("roles: %s of %s not linked in: %v", d.FullName(), role, err))
	}
	return mt.New().Interface()
}

// RunMethod is the full gRPC method name of Run, e.g. "/socklab.v1.PingClient/Run".
func (r Role) RunMethod() string { return methodName(r.Service, "Run") }

// StopMethod is the full gRPC method name of Stop.
func (r Role) StopMethod() string { return methodName(r.Service, "Stop") }

func (r Role) run() protoreflect.MethodDescriptor { return r.Service.Methods().ByName("Run") }

func methodName(s protoreflect.ServiceDescriptor, m protoreflect.Name) string {
	return "/" + string(s.FullName()) + "/" + string(m)
}

// All returns every role, sorted by name.
func All() []Role {
	rs := []Role{
		pingServer(), pingClient(),
		heartbeatServer(), heartbeatClient(),
		webServer(), webClient(),
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Name < rs[j].Name })
	return rs
}

// Lookup finds a role by name.
func Lookup(name string) (Role, bool) {
	for _, r := range All() {
		if r.Name == name {
			return r, true
		}
	}
	return Role{}, false
}

// Names returns the names of all roles.
func Names() []string {
	var ns []string
	for _, r := range All() {
		ns = append(ns, r.Name)
	}
	return ns
}

func pingServer() Role {
	return Role{
		Name:    "ping_server",
		Side:    Server,
		Service: pb.File_socklab_v1_ping_proto.Services().ByName("PingServer"),
		Defaults: func() proto.Message {
			return &pb.PingServerConfig{Listen: "127.0.0.1:12000", DropRate: 4.0 / 11.0}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.PingServerConfig)
			return collect(fraction("drop_rate", c.DropRate))
		},
		Transport:    UDP,
		AddressField: "listen",
	}
}

func pingClient() Role {
	return Role{
		Name:    "ping_client",
		Side:    Client,
		Service: pb.File_socklab_v1_ping_proto.Services().ByName("PingClient"),
		Defaults: func() proto.Message {
			return &pb.PingClientConfig{Count: 10, Timeout: durationpb.New(time.Second), Interval: durationpb.New(0)}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.PingClientConfig)
			return collect(
				atLeastOne("count", uint64(c.Count)),
				positive("timeout", c.Timeout),
			)
		},
		Transport:    UDP,
		AddressField: "server",
		Required:     []string{"server"},
	}
}

func heartbeatServer() Role {
	return Role{
		Name:    "heartbeat_server",
		Side:    Server,
		Service: pb.File_socklab_v1_heartbeat_proto.Services().ByName("HeartbeatServer"),
		Defaults: func() proto.Message {
			return &pb.HeartbeatServerConfig{
				Listen:           "127.0.0.1:12000",
				DeadAfter:        durationpb.New(3 * time.Second),
				ReorderWindow:    durationpb.New(time.Second),
				ReportHeartbeats: true,
				MaxClients:       1000,
				SummaryClients:   100,
			}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.HeartbeatServerConfig)
			return collect(positive("dead_after", c.DeadAfter), atLeastOne("max_clients", uint64(c.MaxClients)))
		},
		Transport:    UDP,
		AddressField: "listen",
	}
}

func heartbeatClient() Role {
	return Role{
		Name:    "heartbeat_client",
		Side:    Client,
		Service: pb.File_socklab_v1_heartbeat_proto.Services().ByName("HeartbeatClient"),
		Defaults: func() proto.Message {
			zero := durationpb.New(0)
			return &pb.HeartbeatClientConfig{
				Interval: durationpb.New(time.Second), Count: 10,
				Duration: zero, PauseAfter: zero, PauseFor: zero, StopAfter: zero,
			}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.HeartbeatClientConfig)
			return collect(positive("interval", c.Interval))
		},
		Transport:    UDP,
		AddressField: "server",
		Required:     []string{"server"},
	}
}

func webServer() Role {
	return Role{
		Name:    "web_server",
		Side:    Server,
		Service: pb.File_socklab_v1_web_proto.Services().ByName("WebServer"),
		Defaults: func() proto.Message {
			return &pb.WebServerConfig{
				Listen:         "127.0.0.1:6789",
				Root:           ".",
				Concurrency:    pb.Concurrency_CONCURRENCY_PER_CONNECTION,
				ReadTimeout:    durationpb.New(10 * time.Second),
				IdleTimeout:    durationpb.New(5 * time.Second),
				MaxHeaderBytes: 8192,
				ReportRequests: true,
			}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.WebServerConfig)
			return collect(
				positive("read_timeout", c.ReadTimeout),
				positive("idle_timeout", c.IdleTimeout),
				atLeastOne("max_header_bytes", uint64(c.MaxHeaderBytes)),
			)
		},
		Transport:    TCP,
		AddressField: "listen",
		PathFields:   []string{"root"},
	}
}

func webClient() Role {
	return Role{
		Name:    "web_client",
		Side:    Client,
		Service: pb.File_socklab_v1_web_proto.Services().ByName("WebClient"),
		Defaults: func() proto.Message {
			return &pb.WebClientConfig{Paths: []string{"/"}, Method: "GET", Timeout: durationpb.New(10 * time.Second)}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.WebClientConfig)
			var errs []*FieldError
			if len(c.Paths) == 0 {
				errs = append(errs, &FieldError{"paths", "give at least one path"})
			}
			return collect(append(errs, positive("timeout", c.Timeout))...)
		},
		Transport:    TCP,
		AddressField: "server",
		Required:     []string{"server"},
	}
}

func collect(errs ...*FieldError) []FieldError {
	var out []FieldError
	for _, e := range errs {
		if e != nil {
			out = append(out, *e)
		}
	}
	return out
}

func fraction(field string, v float64) *FieldError {
	if v < 0 || v > 1 {
		return &FieldError{field, fmt.Sprintf("must be a fraction from 0 to 1, got %g", v)}
	}
	return nil
}

func atLeastOne(field string, v uint64) *FieldError {
	if v == 0 {
		return &FieldError{field, "must be at least 1"}
	}
	return nil
}

func positive(field string, d *durationpb.Duration) *FieldError {
	if d.AsDuration() <= 0 {
		return &FieldError{field, fmt.Sprintf("must be a positive duration, got %s", d.AsDuration())}
	}
	return nil
}

// Peer names the role at the other end of a client's link: a client's
// server role, a server's client role ("ping_client" and "ping_server").
func (r Role) Peer() string {
	base, _ := strings.CutSuffix(r.Name, "_"+r.Side.String())
	if r.Side == Client {
		return base + "_" + Server.String()
	}
	return base + "_" + Client.String()
}
