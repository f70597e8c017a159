package roles

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// WebServer is the web server lab's server: it serves files over HTTP/1.x.
func WebServer() Role {
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
		Plain: Plain{ // the lab sheet's program
			Address: "127.0.0.1:6789",
			Words:   []string{"server", "web"},
			Dir:     func(m proto.Message) string { return m.(*pb.WebServerConfig).GetRoot() },
		},
		Verdict: Verdict{
			Idle: func(m proto.Message) (string, bool) {
				s, ok := m.(*pb.WebServerSummary)
				return "0 requests on 0 connections", ok && s.GetRequests() == 0 && s.GetConnections() == 0
			},
			Answers: true,
		},
	}
}

// WebClient is the web server lab's client: it fetches paths over HTTP.
func WebClient() Role {
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
		Plain: Plain{ // the lab sheet's program
			Args:           []string{"{host}", "{port}", "{file}"},
			Words:          []string{"client", "http", "web"},
			JudgedByOutput: true,
			Paths:          func(m proto.Message) []string { return m.(*pb.WebClientConfig).GetPaths() },
		},
		Verdict: Verdict{
			Idle: func(m proto.Message) (string, bool) {
				s, ok := m.(*pb.WebClientSummary)
				return "made no request: its Summary says 0 requests", ok && s.GetRequests() == 0
			},
			Failed: func(m proto.Message) (string, bool) {
				r, ok := m.(*pb.WebResponse)
				if !ok || r.GetStatusLine() != "" {
					return "", false
				}
				return fmt.Sprintf("%s: %s", r.GetPath(), r.GetError()), true
			},
			Failures: "of its fetches got no response",
		},
	}
}
