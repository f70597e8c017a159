// Package roles is what a socklab role is: the name used in lab files and
// in the plugin handshake, the gRPC service a plugin serves for it, whether
// it is a server or a client, the defaults of its settings and the checks
// on them, how the sheet's own program for it is run, and the hooks the
// host fills in to show, read and judge it. The constructors of the sheet's
// roles (PingServer, ...) are where their names are spelled; the plugin SDK
// reads them, and host/labs completes each into the one value per role the
// host, grader and display iterate.
package roles

import (
	"fmt"
	"strings"
	"time"

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
	// Verdict is how the host tells, from a component's own reports, that
	// it ran without doing its part.
	Verdict Verdict

	// Describe renders one of the role's event bodies (its Summary
	// included) in the lab sheet's words; "" leaves it to the generic
	// "kind field=value". Nil: every event is generic.
	Describe func(body proto.Message) string
	// Teller, if set, makes what tells the events of the component called
	// name on a console, where the sheet's program shows one event as
	// more than a line (ping's closing statistics).
	Teller func(name string) Teller
}

// Verdict is what a role's reports say of a component that did nothing.
// A client that sent nothing, or a server that reports nothing its links
// delivered, fails whatever its role; these say more.
type Verdict struct {
	// Idle says whether a Summary shows the component did nothing, and in
	// what words: a client's ("sent no ping: its Summary says 0 packets
	// transmitted") is a failure; a server's ("received 0") only when its
	// clients' links delivered something to it.
	Idle func(summary proto.Message) (said string, idle bool)
	// Failed says whether one of its events shows a failure of its task
	// (a web client's fetch that got no response), and which; Failures
	// says what they are, after their count ("of its fetches got no
	// response").
	Failed   func(event proto.Message) (what string, failed bool)
	Failures string
	// Answers: a server that must answer what it gets; without a Summary
	// (a plain program), it fails when its links delivered requests to it
	// and carried nothing back.
	Answers bool
}

// Teller tells one component's events in the words its sheet program
// prints, remembering what it needs of earlier ones.
type Teller interface {
	// Tell returns the lines that show body, an event of the component
	// that happened at at; ok false leaves the event to Describe.
	Tell(at time.Time, body proto.Message) (lines []string, ok bool)
}

// PlainReader turns what one plain program prints into its role's events
// (package host/plain runs it and calls these from one goroutine).
type PlainReader interface {
	// Line reads one line the current run printed on stdout at time at.
	Line(text string, at time.Time) []proto.Message
	// EndRun is called when the current run has ended (exit is its exit
	// error, nil for status 0), with what the whole run's output shows.
	EndRun(at time.Time, exit error) []proto.Message
	// Finish is called after the last run: the Summary, when the output
	// gave one.
	Finish(at time.Time) []proto.Message
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
	// Paths, if set, are what the program fetches given its settings: it
	// is run once per path. Nil: it is run once.
	Paths func(cfg proto.Message) []string
	// Dir, if set, is the program's working directory given its settings,
	// where the lab names none (the sheet's web server opens the paths it
	// is asked for in its own directory: it runs in the document root).
	Dir func(cfg proto.Message) string
	// Reader, if set, reads what the program prints given its settings.
	// Nil: the role is judged by its traffic alone.
	Reader func(cfg proto.Message) PlainReader
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
