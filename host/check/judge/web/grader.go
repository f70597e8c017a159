// Package web judges the Web Server lab's roles: a server by what the
// reference client received and the answers to raw probes, against the
// files the suite put in its document root; a client by the requests the
// reference server saw and the responses the client showed.
package web

import (
	"embed"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/proto/roles"
)

//go:embed suites/*.hcl
var suites embed.FS

func builtinSuite(r roles.Role) []byte { return judge.BuiltinSuite(suites, r) }

// Server grades the web server.
func Server() judge.Grader {
	return judge.Grader{Role: roles.WebServer(), Checks: serverChecks(), Suite: builtinSuite(roles.WebServer())}
}

// Client grades the web client.
func Client() judge.Grader {
	return judge.Grader{Role: roles.WebClient(), Checks: clientChecks(), Suite: builtinSuite(roles.WebClient())}
}
