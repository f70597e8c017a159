package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// load writes src as lab.hcl in a fresh directory (with a Go package in
// student/ and an executable ./plugin.sh beside it) and loads it.
func load(t *testing.T, src string, opts Options) (*Lab, hcl.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "student"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "student", "main.go"), []byte("package main\nfunc main() {}\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "plugin.sh"), []byte("#!/bin/sh\n"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "notexec.sh"), []byte("#!/bin/sh\n"), 0o644))
	path := filepath.Join(dir, "lab.hcl")
	must(t, os.WriteFile(path, []byte(src), 0o644))
	if opts.Roles == nil {
		opts.Roles = roles.Sheet()
	}
	return Load(path, opts)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const pinger = `
ping_server "reference" {
  drop_rate = 0.25
}

ping_client "student" {
  server  = ping_server.reference.address
  timeout = "250ms"
}
`

func TestLoadPinger(t *testing.T) {
	l, diags := load(t, pinger, Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(l.Components) != 2 || l.Components[0].Name != "reference" || l.Components[1].Name != "student" {
		t.Fatalf("components %v", l.Components)
	}
	srv := l.Components[0].Config.(*pb.PingServerConfig)
	cli := l.Components[1].Config.(*pb.PingClientConfig)
	if srv.Listen != "127.0.0.1:12000" || srv.DropRate != 0.25 || srv.Seed == 0 {
		t.Errorf("server config %v", srv)
	}
	if cli.Server != "127.0.0.1:12000" || cli.Count != 10 || cli.Timeout.AsDuration() != 250*time.Millisecond {
		t.Errorf("client config %v", cli)
	}
	if l.Components[0].Plugin.From != Builtin || l.SeedOrigin != "random" || l.Timeout != DefaultTimeout {
		t.Errorf("plugin %v, seed from %s, timeout %v", l.Components[0].Plugin, l.SeedOrigin, l.Timeout)
	}
}

func TestLoadOrdersByReference(t *testing.T) {
	l, diags := load(t, `
ping_client "first" {
  server = ping_server.later.address
  count  = ping_client.second.count
}
ping_client "second" {
  server = "127.0.0.1:9"
  count  = 3
}
ping_server "later" {
  listen = "0.0.0.0:7000"
}
`, Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var names []string
	for _, c := range l.Components {
		names = append(names, c.Name)
	}
	if strings.Join(names, " ") != "later second first" {
		t.Fatalf("order %v", names)
	}
	first := l.Components[2].Config.(*pb.PingClientConfig)
	if first.Count != 3 || first.Server != "127.0.0.1:7000" {
		t.Fatalf("first: %v", first)
	}
}

func TestVariablesLocalsAndSeed(t *testing.T) {
	src := `
variable "pings" {
  default = 4
}
variable "student" {
  default = "student"
}
locals {
  wait    = "${local.base}ms"
  base    = 300
}
lab {
  name = "pinger"
  seed = 42
}
ping_server "s" {
  listen = "127.0.0.1:0"
}
ping_client "c" {
  server  = ping_server.s.address
  count   = var.pings
  timeout = local.wait
  plugin {
    go = var.student
  }
}
`
	seven := int64(7)
	tests := []struct {
		name      string
		opts      Options
		count     uint32
		seed      int64
		seedFrom  string
		pluginDir string
	}{
		{"defaults", Options{}, 4, 42, "lab file", "student"},
		{"command line", Options{Vars: map[string]string{"pings": "9", "student": "./student"}, Seed: &seven}, 9, 7, "--seed", "student"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, diags := load(t, src, tt.opts)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			c := l.Components[1]
			cfg := c.Config.(*pb.PingClientConfig)
			if cfg.Count != tt.count || cfg.Timeout.AsDuration() != 300*time.Millisecond {
				t.Errorf("config %v", cfg)
			}
			if l.Seed != tt.seed || l.SeedOrigin != tt.seedFrom || l.Name != "pinger" {
				t.Errorf("seed %d from %s, name %q", l.Seed, l.SeedOrigin, l.Name)
			}
			if c.Plugin.From != GoSource || filepath.Base(c.Plugin.Dir) != tt.pluginDir {
				t.Errorf("plugin %v", c.Plugin)
			}
			if cfg.Server != "" {
				t.Errorf("server %q is known before the port-0 server runs", cfg.Server)
			}
		})
	}
}

func TestPortZeroServerIsResolvedWhenBound(t *testing.T) {
	l, diags := load(t, `
ping_server "s" {
  listen = "127.0.0.1:0"
}
ping_client "c" {
  server = ping_server.s.address
}
`, Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	scope := l.NewScope()
	if _, d := scope.Decode(l.Components[0]); d.HasErrors() {
		t.Fatal(d)
	}
	scope.Bound(l.Components[0], "127.0.0.1:40123")
	cfg, d := scope.Decode(l.Components[1])
	if d.HasErrors() {
		t.Fatal(d)
	}
	if got := cfg.(*pb.PingClientConfig).Server; got != "127.0.0.1:40123" {
		t.Fatalf("server = %q", got)
	}
}

func TestPluginKindsAndRoleSettings(t *testing.T) {
	l, diags := load(t, `
web_server "www" {
  root        = "site"
  concurrency = "one_at_a_time"
  plugin {
    command       = ["./plugin.sh", "--flag"]
    env           = { STUDENT = "alice" }
    start_timeout = "3s"
  }
}
web_client "fetch" {
  server = web_server.www.address
  paths  = ["/a.html", "/b.html"]
  plugin {
    command = "sh"
  }
}
ping_server "p" {
  plugin {
    builtin = true
  }
}
`, Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	www := l.Components[0]
	cfg := www.Config.(*pb.WebServerConfig)
	if cfg.Root != filepath.Join(l.Dir, "site") || cfg.Concurrency != pb.Concurrency_CONCURRENCY_ONE_AT_A_TIME || cfg.Listen != "127.0.0.1:6789" {
		t.Errorf("web server config %v", cfg)
	}
	p := www.Plugin
	if p.From != Command || p.Command[0] != filepath.Join(l.Dir, "plugin.sh") || p.Command[1] != "--flag" ||
		p.Env[0] != "STUDENT=alice" || p.StartTimeout != 3*time.Second {
		t.Errorf("plugin %+v", p)
	}
	fetch := l.Components[1]
	if c := fetch.Config.(*pb.WebClientConfig); c.Server != "127.0.0.1:6789" || len(c.Paths) != 2 {
		t.Errorf("web client config %v", c)
	}
	if fetch.Plugin.From != Command || !strings.HasSuffix(fetch.Plugin.Command[0], "/sh") {
		t.Errorf("plugin %+v", fetch.Plugin)
	}
	if l.Components[2].Plugin.From != Builtin {
		t.Errorf("plugin %+v", l.Components[2].Plugin)
	}
}

// TestBadLabs checks each kind of mistake gives a diagnostic at the right
// place: line and column of the offending source.
func TestBadLabs(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		opts    Options
		summary string
		line    int
		col     int
	}{
		{"syntax error", "ping_server \"s\" {\n  listen = \n}\n", Options{}, "Invalid expression", 2, 12},
		{"unknown block", "pinger \"s\" {\n}\n", Options{}, "Unsupported block type", 1, 1},
		{"unknown attribute", "ping_server \"s\" {\n  drop = 0.1\n}\n", Options{}, "Unsupported argument", 2, 3},
		{"wrong type", "ping_client \"c\" {\n  server = \"127.0.0.1:1\"\n  count = \"ten\"\n}\n", Options{}, "Invalid value for count", 3, 11},
		{"fractional count", "ping_client \"c\" {\n  server = \"127.0.0.1:1\"\n  count = 1.5\n}\n", Options{}, "Invalid value for count", 3, 11},
		{"negative count", "ping_client \"c\" {\n  server = \"127.0.0.1:1\"\n  count = -1\n}\n", Options{}, "Invalid value for count", 3, 11},
		{"zero count", "ping_client \"c\" {\n  server = \"127.0.0.1:1\"\n  count = 0\n}\n", Options{}, "Invalid value for count", 3, 11},
		{"bad duration", "ping_client \"c\" {\n  server  = \"127.0.0.1:1\"\n  timeout = \"soon\"\n}\n", Options{}, "Invalid value for timeout", 3, 13},
		{"duration as number", "ping_client \"c\" {\n  server  = \"127.0.0.1:1\"\n  timeout = 1\n}\n", Options{}, "Invalid value for timeout", 3, 13},
		{"drop rate above 1", "ping_server \"s\" {\n  drop_rate = 1.5\n}\n", Options{}, "Invalid value for drop_rate", 2, 15},
		{"address without port", "ping_server \"s\" {\n  listen = \"12000\"\n}\n", Options{}, "Invalid value for listen", 2, 12},
		{"client to port 0", "ping_client \"c\" {\n  server = \"127.0.0.1:0\"\n}\n", Options{}, "Invalid value for server", 2, 12},
		{"bad enum", "web_server \"w\" {\n  concurrency = \"forking\"\n}\n", Options{}, "Invalid value for concurrency", 2, 17},
		{"missing required", "ping_client \"c\" {\n  count = 2\n}\n", Options{}, "Missing required argument", 1, 17},
		{"dangling reference", "ping_client \"c\" {\n  server = ping_server.nope.address\n}\n", Options{}, "Reference to undeclared component", 2, 12},
		{"reference to the wrong role", "ping_client \"a\" {\n  server = \"127.0.0.1:1\"\n}\nping_client \"c\" {\n  server = ping_server.a.address\n}\n", Options{}, "Reference to undeclared component", 5, 12},
		{"unknown setting of a component", "ping_server \"s\" {\n}\nping_client \"c\" {\n  server = ping_server.s.adress\n}\n", Options{}, "Unsupported attribute", 4, 25},
		{"incomplete reference", "ping_client \"c\" {\n  server = ping_server\n}\n", Options{}, "Incomplete component reference", 2, 12},
		{"cycle", "ping_client \"a\" {\n  server = \"127.0.0.1:1\"\n  count = ping_client.b.count\n}\nping_client \"b\" {\n  server = \"127.0.0.1:1\"\n  count = ping_client.a.count\n}\n", Options{}, "cycle", 1, 1},
		{"duplicate name", "ping_server \"x\" {\n}\nping_client \"x\" {\n  server = \"127.0.0.1:1\"\n}\n", Options{}, "Duplicate component name", 3, 13},
		{"missing go plugin", "ping_server \"s\" {\n  plugin {\n    go = \"./nope\"\n  }\n}\n", Options{}, "Missing plugin", 3, 10},
		{"missing command", "ping_server \"s\" {\n  plugin {\n    command = [\"./nope\", \"x\"]\n  }\n}\n", Options{}, "Missing plugin", 3, 15},
		{"missing Python script", "ping_server \"s\" {\n  plugin {\n    command = [\"python3\", \"-u\", \"nope.py\"]\n  }\n}\n", Options{}, "Missing plugin", 3, 15},
		{"command not on PATH", "ping_server \"s\" {\n  plugin {\n    command = \"no-such-program-here\"\n  }\n}\n", Options{}, "Missing plugin", 3, 15},
		{"command not executable", "ping_server \"s\" {\n  plugin {\n    command = \"./notexec.sh\"\n  }\n}\n", Options{}, "Missing plugin", 3, 15},
		{"two plugin kinds", "ping_server \"s\" {\n  plugin {\n    builtin = true\n    go = \"./student\"\n  }\n}\n", Options{}, "Plugin kind needed", 4, 5},
		{"empty plugin block", "ping_server \"s\" {\n  plugin {\n  }\n}\n", Options{}, "Plugin kind needed", 2, 3},
		{"undeclared var in lab", "ping_server \"s\" {\n  drop_rate = var.rate\n}\n", Options{}, "Unsupported attribute", 2, 18},
		{"variable without value", "variable \"who\" {\n}\n", Options{}, "No value for variable who", 1, 1},
		{"bad --var value", "variable \"n\" {\n  default = 3\n}\n", Options{Vars: map[string]string{"n": "lots"}}, "Invalid value for variable n", 1, 10},
		{"locals cycle", "locals {\n  a = local.b\n  b = local.a\n}\n", Options{}, "cycle", 2, 7},
		{"local uses a component", "locals {\n  a = ping_server.s.address\n}\n", Options{}, "Invalid reference in locals", 2, 7},
		{"bad lab timeout", "lab {\n  timeout = \"0s\"\n}\n", Options{}, "Invalid value for timeout", 2, 13},
		{"no components", "lab {\n  name = \"empty\"\n}\n", Options{}, "No components", 1, 1},
		{"empty file", "", Options{}, "No components", 1, 1},
		{"client of a server of another role", "web_server \"web\" {\n}\nping_client \"c\" {\n  server = web_server.web.address\n}\n", Options{}, "Reference to a server of another role", 4, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load(t, tt.src, tt.opts)
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if !strings.Contains(d.Summary+" "+d.Detail, tt.summary) {
				t.Errorf("first error %q (%s), want %q", d.Summary, d.Detail, tt.summary)
			}
			if d.Subject == nil || d.Subject.Start.Line != tt.line || d.Subject.Start.Column != tt.col {
				t.Errorf("at %v, want %d:%d", d.Subject, tt.line, tt.col)
			}
		})
	}
}

// TestMistakeAtAServerOnly: a server's wrong setting is one error, not
// another at each client that refers to the server.
func TestMistakeAtAServerOnly(t *testing.T) {
	src := "ping_server \"s\" {\n  drop_rate = \"lots\"\n}\nping_client \"c\" {\n  server = ping_server.s.address\n  count  = ping_client.d.count\n}\n" +
		"ping_client \"d\" {\n  server = ping_server.s.address\n}\n"
	_, diags := load(t, src, Options{})
	if errs := diags.Errs(); len(errs) != 1 || errs[0].(*hcl.Diagnostic).Subject.Start.Line != 2 {
		t.Fatalf("want one error, at the server: %v", diags)
	}
}

func TestPythonScript(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"/usr/bin/python3", "client.py"}, "/lab/client.py"},
		{[]string{"python3.11", "-u", "-B", "/abs/s.py", "arg"}, "/abs/s.py"},
		{[]string{"python", "-m", "http.server"}, ""},
		{[]string{"python3", "-c", "print(1)"}, ""},
		{[]string{"./client", "x.py"}, ""},
		{[]string{"python3"}, ""},
	}
	for _, tt := range tests {
		if got := PythonScript(tt.argv, "/lab"); got != tt.want {
			t.Errorf("PythonScript(%q) = %q, want %q", tt.argv, got, tt.want)
		}
	}
}

func TestUndeclaredCommandLineVariable(t *testing.T) {
	_, diags := load(t, pinger, Options{Vars: map[string]string{"nope": "1"}})
	if !diags.HasErrors() || !strings.Contains(diags.Error(), "Undeclared variable nope") {
		t.Fatalf("diags %v", diags)
	}
}

func TestWriteDiagnostics(t *testing.T) {
	l, diags := load(t, "ping_client \"c\" {\n  server  = \"127.0.0.1:1\"\n  timeout = \"soon\"\n}\n", Options{})
	var b strings.Builder
	WriteDiagnostics(&b, diags, l.Files())
	want := `lab.hcl:3:13: error: Invalid value for timeout
  "soon" is not a duration: write a number with a unit, like "1s", "250ms" or "2m".
     3 |   timeout = "soon"
       |             ^^^^^^
`
	got := b.String()
	if i := strings.Index(got, "lab.hcl:"); i > 0 {
		got = got[i:] // drop the temporary directory
	}
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLinks(t *testing.T) {
	l, diags := load(t, `
lab {
  capture = "run.pcap"
}
ping_server "s" {
}
ping_client "lossy" {
  server = ping_server.s.address
  link {
    loss  = 0.1
    delay = "20ms"
    to_client {
      loss   = 0.3
      jitter = "5ms"
    }
  }
}
ping_client "plain" {
  server = ping_server.s.address
}
ping_client "direct" {
  server = ping_server.s.address
  link {
    direct = true
  }
}
web_server "w" {
}
web_client "slow" {
  server = web_server.w.address
  link {
    bandwidth   = 65536
    max_segment = 100
    front       = "127.0.0.1:6789"
    to_server {
      reset_after = 1000
    }
  }
}
`, Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	byName := map[string]*Component{}
	for _, c := range l.Components {
		byName[c.Name] = c
	}
	lossy := byName["lossy"].Link
	if lossy.Direct || lossy.ToServer.Loss != 0.1 || lossy.ToClient.Loss != 0.3 || lossy.ToServer.Delay != 20*time.Millisecond ||
		lossy.ToClient.Delay != 20*time.Millisecond || lossy.ToClient.Jitter != 5*time.Millisecond || lossy.ToServer.Jitter != 0 {
		t.Errorf("lossy link %+v", lossy)
	}
	if p := byName["plain"].Link; p.Direct || !p.ToServer.IsZero() || !p.ToClient.IsZero() {
		t.Errorf("plain link %+v", p)
	}
	if !byName["direct"].Link.Direct {
		t.Errorf("direct link %+v", byName["direct"].Link)
	}
	slow := byName["slow"].Link
	if slow.ToServer.Bandwidth != 65536 || slow.ToClient.MaxSegment != 100 || slow.ToServer.ResetAfter != 1000 || slow.ToClient.ResetAfter != 0 || slow.Front != "127.0.0.1:6789" {
		t.Errorf("slow link %+v", slow)
	}
	if l.Capture != filepath.Join(l.Dir, "run.pcap") || l.Direct {
		t.Errorf("capture %q, direct %v", l.Capture, l.Direct)
	}

	off, diags := load(t, "lab {\n  links = false\n}\nping_server \"s\" {\n}\nping_client \"c\" {\n  server = ping_server.s.address\n}\n", Options{})
	if diags.HasErrors() || !off.Direct || !off.Components[1].Link.Direct {
		t.Fatalf("links = false: %v %+v", diags, off.Components[1].Link)
	}
}

func TestBadLinks(t *testing.T) {
	client := func(kind, link string) string {
		server := map[string]string{"ping": "ping_server", "web": "web_server"}[kind]
		return fmt.Sprintf("%s \"s\" {\n}\n%s_client \"c\" {\n  server = %s.s.address\n  link {\n%s\n  }\n}\n", server, kind, server, link)
	}
	tests := []struct {
		name    string
		src     string
		summary string
		line    int
		col     int
	}{
		{"UDP setting on TCP", client("web", "    loss = 0.1"), "Setting does not apply to this link", 6, 5},
		{"TCP setting on UDP", client("ping", "    bandwidth = 100"), "Setting does not apply to this link", 6, 5},
		{"probability above 1", client("ping", "    loss = 2"), "Invalid value for loss", 6, 12},
		{"bad delay", client("ping", "    delay = \"slow\""), "Invalid value for delay", 6, 13},
		{"negative count", client("web", "    max_segment = -1"), "Invalid value for max_segment", 6, 19},
		{"unknown setting", client("ping", "    lose = 0.1"), "Unsupported argument", 6, 5},
		{"unknown direction setting", client("ping", "    to_server {\n      lose = 0.1\n    }"), "Unsupported argument", 7, 7},
		{"direct with settings", client("ping", "    direct = true\n    loss = 0.1"), "Direct link with settings", 5, 3},
		{"bad front", client("ping", "    front = \"12000\""), "Invalid value for front", 6, 13},
		{"link on a server", "ping_server \"s\" {\n  link {\n  }\n}\n", "Link on a server", 2, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := load(t, tt.src, Options{})
			if !diags.HasErrors() {
				t.Fatal("no error")
			}
			d := diags.Errs()[0].(*hcl.Diagnostic)
			if !strings.Contains(d.Summary, tt.summary) || d.Subject == nil || d.Subject.Start.Line != tt.line || d.Subject.Start.Column != tt.col {
				t.Errorf("got %q at %v, want %q at %d:%d", d.Summary, d.Subject, tt.summary, tt.line, tt.col)
			}
			if n := len(diags.Errs()); n != 1 {
				t.Errorf("%d errors for one mistake: %v", n, diags)
			}
		})
	}
}
