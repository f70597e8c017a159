// Package roles is the catalogue of socklab roles. For each role it knows
// the name used in lab files and in the plugin handshake, the gRPC service a
// plugin serves for it, whether it is a server or a client, the defaults of
// its settings and the checks on them. The host and the plugin SDK both read
// it, so a role is added here once.
package roles

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"
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
	// Plain is how the lab sheet's own program for the role is run.
	Plain Plain
}

// Plain is how a plain program of a role (the sheet's own program, which
// speaks no plugin protocol) is run; package plain reads what it prints.
type Plain struct {
	// Address is the address the sheet hard-codes: where a client sends or
	// a server binds. Empty: the program is told on its command line.
	Address string
	// Args are its arguments when the lab sets none, with {host}, {port},
	// {address}, {path} and {file} replaced by where it is to talk and
	// what it is to fetch.
	Args []string
	// Words are the words its file's name likely holds, the side first:
	// how a submission's program is picked among its files.
	Words []string
	// JudgedByOutput: its exit status says nothing, each run is judged by
	// what it printed (the sheet's web client).
	JudgedByOutput bool
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
