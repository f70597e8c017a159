package plain

import (
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/proto/roles"
)

// Run is one run of a plain program.
type Run struct {
	// Args go after the program's own command line.
	Args []string
	// Path is what a web client's run fetches.
	Path string
}

// Player is a plain program playing one role in one lab run: the runs to
// make of it, and the reading of what it prints. Its methods are called
// from one goroutine at a time.
type Player struct {
	runs []Run
	r    roles.PlainReader // nil: the role is judged by its traffic alone
}

// New returns the player for a plain program of role with settings cfg,
// to be run with args (nil: the role's Plain.Args) and to use address: the
// server a client is to reach, or the address a server is to bind. It is
// run once per path of its role's Plain.Paths, and what it prints is read
// by its role's Plain.Reader.
func New(role roles.Role, cfg proto.Message, args []string, address string) (*Player, error) {
	if args == nil {
		args = role.Plain.Args
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
	if role.Plain.Paths != nil {
		for _, path := range role.Plain.Paths(cfg) {
			if !strings.HasPrefix(path, "/") {
				path = "/" + path
			}
			p.runs = append(p.runs, Run{Args: expand(path), Path: path})
		}
	}
	if role.Plain.Reader != nil {
		p.r = role.Plain.Reader(cfg)
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
func (p *Player) Line(text string, at time.Time) []proto.Message {
	if p.r == nil {
		return nil
	}
	return p.r.Line(text, at)
}

// EndRun is called when the current run has ended (exit is its exit error,
// nil for status 0); it returns what the whole run's output shows.
func (p *Player) EndRun(at time.Time, exit error) []proto.Message {
	if p.r == nil {
		return nil
	}
	return p.r.EndRun(at, exit)
}

// Finish is called after the last run; it returns the role's Summary when
// the output gave one.
func (p *Player) Finish(at time.Time) []proto.Message {
	if p.r == nil {
		return nil
	}
	return p.r.Finish(at)
}
