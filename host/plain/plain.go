package plain

import (
	"fmt"
	"math"
	"net"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// SheetAddress is the address the lab sheet hard-codes for a role's
// program: where the Pinger's and the Heartbeat's clients send and servers
// listen, and where the web server listens. The web client has none: it is
// told its server on its command line.
func SheetAddress(role string) string {
	switch role {
	case "ping_client", "ping_server", "heartbeat_client", "heartbeat_server":
		return "127.0.0.1:12000"
	case "web_server":
		return "127.0.0.1:6789"
	}
	return ""
}

// DefaultArgs are the arguments a plain program of role is given when its
// plugin block sets none: the web client's "server_host server_port
// filename", nothing for the others.
func DefaultArgs(role string) []string {
	if role == "web_client" {
		return []string{"{host}", "{port}", "{file}"}
	}
	return nil
}

// Run is one run of a plain program.
type Run struct {
	// Args go after the program's own command line.
	Args []string
	// Path is what a web client's run fetches.
	Path string
}

// reader turns the output of a program's runs into role events.
type reader interface {
	line(text string, at time.Time) []proto.Message
	endRun(at time.Time, exit error) []proto.Message
	finish(at time.Time) []proto.Message
}

// silent is the reader of the roles judged by their traffic alone.
type silent struct{}

func (silent) line(string, time.Time) []proto.Message  { return nil }
func (silent) endRun(time.Time, error) []proto.Message { return nil }
func (silent) finish(time.Time) []proto.Message        { return nil }

// Player is a plain program playing one role in one lab run: the runs to
// make of it, and the reading of what it prints. Its methods are called
// from one goroutine at a time.
type Player struct {
	runs []Run
	r    reader
}

// New returns the player for a plain program of role with settings cfg,
// to be run with args (nil: DefaultArgs) and to use address: the server a
// client is to reach, or the address a server is to bind.
func New(role string, cfg proto.Message, args []string, address string) (*Player, error) {
	if args == nil {
		args = DefaultArgs(role)
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", address, err)
	}
	expand := func(path string) []string {
		file := strings.TrimPrefix(path, "/")
		r := strings.NewReplacer("{host}", host, "{port}", port, "{address}", address, "{path}", path, "{file}", file)
		out := make([]string, len(args))
		for i, a := range args {
			out[i] = r.Replace(a)
		}
		return out
	}
	p := &Player{}
	switch role {
	case "web_client":
		paths := cfg.(*pb.WebClientConfig).GetPaths()
		for _, path := range paths {
			if !strings.HasPrefix(path, "/") {
				path = "/" + path
			}
			p.runs = append(p.runs, Run{Args: expand(path), Path: path})
		}
		p.r = &webClient{paths: paths}
	case "ping_client":
		p.r = &pingClient{stats: pingStats{loss: math.NaN(), lost: -1}}
	case "heartbeat_server":
		p.r = heartbeatServer{}
	default:
		p.r = silent{}
	}
	if len(p.runs) == 0 {
		p.runs = []Run{{Args: expand("/")}}
	}
	return p, nil
}

// Runs are the runs to make, one after the other.
func (p *Player) Runs() []Run { return p.runs }

// Line reads one line the current run printed on stdout at time at and
// returns the role events it shows, stamped with at.
func (p *Player) Line(text string, at time.Time) []proto.Message { return p.r.line(text, at) }

// EndRun is called when the current run has ended (exit is its exit error,
// nil for status 0); it returns what the whole run's output shows.
func (p *Player) EndRun(at time.Time, exit error) []proto.Message { return p.r.endRun(at, exit) }

// Finish is called after the last run; it returns the role's Summary when
// the output gave one.
func (p *Player) Finish(at time.Time) []proto.Message { return p.r.finish(at) }
