package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/proto/roles"
)

// TestRolesModuleIsCurrent: the committed roles.py is what the registry
// makes of it now.
func TestRolesModuleIsCurrent(t *testing.T) {
	want, err := rolesModule(labs.Builtin().Roles())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "socklab", "roles.py"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("plugins/python/socklab/roles.py is stale: run go generate ./plugins/python")
	}
}

// TestRolesModuleNamesEveryRole: each role of the registry gets its Role
// value and serve function, whatever the roles are.
func TestRolesModuleNamesEveryRole(t *testing.T) {
	ping := roles.PingServer()
	tests := []struct {
		name string
		reg  *roles.Registry
		want []string
	}{
		{"builtin", labs.Builtin().Roles(), nil},
		{"renamed", labs.Builtin().Roles().With(roles.Role{Name: "echo_server", Side: ping.Side, Service: ping.Service}),
			[]string{`ECHO_SERVER = _role("echo_server", ping_pb2, "PingServer", events.PingServerEvents)`, "serve_echo_server = ECHO_SERVER.serve", `"serve_echo_server",`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := rolesModule(tt.reg)
			if err != nil {
				t.Fatal(err)
			}
			text := string(src)
			for _, r := range tt.reg.All() {
				constant := strings.ToUpper(r.Name)
				for _, line := range []string{constant + ` = _role("` + r.Name + `", `, "serve_" + r.Name + " = " + constant + ".serve", `"serve_` + r.Name + `",`} {
					if !strings.Contains(text, line) {
						t.Errorf("no %q in:\n%s", line, text)
					}
				}
			}
			for _, line := range tt.want {
				if !strings.Contains(text, line) {
					t.Errorf("no %q in:\n%s", line, text)
				}
			}
		})
	}
}

// TestRolesModuleRefusesAForeignService: a role whose messages are not in
// the Python SDK's generated code cannot be served by it.
func TestRolesModuleRefusesAForeignService(t *testing.T) {
	if _, err := rolesModule(labs.Builtin().Roles().With(roles.Role{Name: "nothing"})); err == nil {
		t.Error("a role without a service was written into roles.py")
	}
}
