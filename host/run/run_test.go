package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/internal/goplugin"
	"github.com/socklab/socklab/plugins/reference/heartbeat"
	"github.com/socklab/socklab/plugins/reference/ping"
	"github.com/socklab/socklab/plugins/reference/web"
	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// The test binary is its own builtin plugin: run with this set, it serves
// the reference roles, so these tests drive the runner (under -race) with
// real plugin processes.
const beThePlugin = "RUN_TEST_BE_THE_PLUGIN"

// With this set to a directory, the plugin's ping server, once Run, waits
// for another ping server to be Run before it runs: see
// TestRunStartsIndependentServersTogether.
const serversMeetIn = "RUN_TEST_SERVERS_MEET_IN"

// countRuns, set in the test plugin's environment, wraps its ping server
// in countingServer.
const countRuns = "RUN_TEST_COUNT_RUNS"

func TestMain(m *testing.M) {
	if os.Getenv(beThePlugin) != "" {
		// The references, as host/labs registers them (this package's
		// tests cannot import the registry, which imports the runner).
		p := sdk.Plugins{
			PingServer:      sdk.PingServerFunc(ping.Serve),
			PingClient:      sdk.PingClientFunc(ping.Run),
			HeartbeatServer: sdk.HeartbeatServerFunc(heartbeat.Serve),
			HeartbeatClient: sdk.HeartbeatClientFunc(heartbeat.Beat),
			WebServer:       sdk.WebServerFunc(web.Serve),
			WebClient:       sdk.WebClientFunc(web.Fetch),
		}
		if dir := os.Getenv(serversMeetIn); dir != "" {
			p.PingServer = meetingServer(dir, p.PingServer)
		}
		if os.Getenv(countRuns) != "" {
			p.PingServer = countingServer(p.PingServer)
		}
		sdk.Serve(p)
		return
	}
	os.Exit(m.Run())
}

// countingServer is s, first logging how many times its process has run
// it and whether the host asked for an early start.
func countingServer(s sdk.PingServer) sdk.PingServer {
	var runs atomic.Int32
	return sdk.PingServerFunc(func(ctx context.Context, cfg *pb.PingServerConfig, out *sdk.PingServerEvents) error {
		settings, _ := goplugin.Early(os.Getenv(goplugin.EarlyEnv))
		_, early := settings[roles.PingServer().Name]
		out.Logf("run %d, early settings %t", runs.Add(1), early)
		return s.Run(ctx, cfg, out)
	})
}

// meetingServer is s, run once two servers have been Run: each leaves a
// file in dir and waits for a second one.
func meetingServer(dir string, s sdk.PingServer) sdk.PingServer {
	return sdk.PingServerFunc(func(ctx context.Context, cfg *pb.PingServerConfig, out *sdk.PingServerEvents) error {
		if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o644); err != nil {
			return err
		}
		for {
			entries, err := os.ReadDir(dir)
			if err != nil {
				return err
			}
			if len(entries) >= 2 {
				return s.Run(ctx, cfg, out)
			}
			select {
			case <-ctx.Done():
				return errors.New("stopped before another server was run")
			case <-time.After(time.Millisecond):
			}
		}
	})
}

func loadLab(t *testing.T, src string) *lab.Lab {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	seed := int64(3)
	l, diags := lab.Load(path, lab.Options{Seed: &seed, Roles: roles.Sheet()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, c := range l.Components {
		c.Plugin.Env = append(c.Plugin.Env, beThePlugin+"=1")
	}
	return l
}

type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) observe(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
}

func (r *recorder) kinds(component string) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := map[string]int{}
	for _, ev := range r.events {
		if ev.Component.Name == component {
			n[ev.Kind]++
		}
	}
	return n
}

func runLab(t *testing.T, ctx context.Context, l *lab.Lab) (*Result, *recorder) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	res := Run(ctx, l, Options{
		Builtin: []string{self},
		Builder: &launch.Builder{Dir: t.TempDir()},
		Log:     zerolog.Nop(),
		Observe: rec.observe,
	})
	return res, rec
}

const pingLab = `
ping_server "server" {
  listen    = "127.0.0.1:0"
  drop_rate = 0.5
}
ping_client "client" {
  server  = ping_server.server.address
  count   = %COUNT%
  timeout = "100ms"
  link {
    to_client {
      loss = 0.2
    }
  }
}
`

func pingLabWith(count string) string { return strings.ReplaceAll(pingLab, "%COUNT%", count) }

func TestRunPingLab(t *testing.T) {
	res, rec := runLab(t, context.Background(), loadLab(t, pingLabWith("12")))
	if !res.OK() || res.Interrupted || res.Startup <= 0 {
		t.Fatalf("result %+v", res)
	}
	server, client := res.Components[0], res.Components[1]
	if server.Address == "" || !strings.HasPrefix(server.Address, "127.0.0.1:") {
		t.Errorf("server address %q", server.Address)
	}
	sum := client.Summary.(*pb.PingClientSummary)
	k := rec.kinds("client")
	if sum.Transmitted != 12 || k["sent"] != 12 || k["reply"]+k["timeout"] != 12 || uint32(k["reply"]) != sum.Received {
		t.Errorf("summary %v, events %v", sum, k)
	}
	if client.Link == nil || client.Link.ToServer.Packets != 12 || k["link"] == 0 {
		t.Errorf("link %+v, %d link events", client.Link, k["link"])
	}
	srv := server.Summary.(*pb.PingServerSummary)
	if srv.Received != 12 || srv.Echoed+srv.Dropped != 12 {
		t.Errorf("server summary %v", srv)
	}
}

func TestRunTimesOutAClient(t *testing.T) {
	l := loadLab(t, pingLabWith("1000"))
	l.Timeout = 300 * time.Millisecond
	res, _ := runLab(t, context.Background(), l)
	client := res.Components[1]
	if res.OK() || client.Err == nil || !strings.Contains(client.Err.Error(), "did not finish within 300ms") {
		t.Fatalf("client error %v", client.Err)
	}
	if res.Components[0].Err != nil {
		t.Fatalf("server failed too: %v", res.Components[0].Err)
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := loadLab(t, pingLabWith("1000"))
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// Interrupt once the client is under way, not before its plugin started.
	var once sync.Once
	res := Run(ctx, l, Options{
		Builtin: []string{self},
		Builder: &launch.Builder{Dir: t.TempDir()},
		Log:     zerolog.Nop(),
		Observe: func(ev Event) {
			if ev.Component.Name == "client" && ev.Kind == "sent" {
				once.Do(cancel)
			}
		},
	})
	if !res.Interrupted || !res.OK() {
		t.Fatalf("interrupted %v, ok %v: %v / %v", res.Interrupted, res.OK(), res.Components[0].Err, res.Components[1].Err)
	}
	sum, ok := res.Components[1].Summary.(*pb.PingClientSummary)
	if !ok || sum.Transmitted == 0 || sum.Transmitted >= 1000 {
		t.Fatalf("client summary after interrupt %v", res.Components[1].Summary)
	}
}

func TestRunReportsAFailedStart(t *testing.T) {
	l := loadLab(t, pingLabWith("3"))
	l.Components[0].Plugin = lab.PluginSpec{From: lab.Command, Command: []string{"/bin/true"}, WorkDir: t.TempDir(), StartTimeout: 5 * time.Second}
	res, _ := runLab(t, context.Background(), l)
	if res.OK() || res.Components[0].Err == nil || !strings.Contains(res.Components[0].Err.Error(), "handshake") {
		t.Fatalf("server error %v", res.Components[0].Err)
	}
}

// Servers that do not refer to each other start together: each of these
// two waits for the other to be Run before it reports Ready, so started one
// after the other the first would never be ready (start_timeout).
func TestRunStartsIndependentServersTogether(t *testing.T) {
	l := loadLab(t, `
ping_server "a" {
  listen = "127.0.0.1:0"
  plugin {
    builtin       = true
    start_timeout = "3s"
  }
}
ping_server "b" {
  listen = "127.0.0.1:0"
  plugin {
    builtin       = true
    start_timeout = "3s"
  }
}
ping_client "to_a" {
  server  = ping_server.a.address
  count   = 1
  timeout = "100ms"
}
ping_client "to_b" {
  server  = ping_server.b.address
  count   = 1
  timeout = "100ms"
}
`)
	meet := t.TempDir()
	for _, c := range l.Components[:2] {
		c.Plugin.Env = append(c.Plugin.Env, serversMeetIn+"="+meet)
	}
	res, _ := runLab(t, context.Background(), l)
	if !res.OK() {
		for _, c := range res.Components {
			t.Errorf("%s: %v", c.Component.Name, c.Err)
		}
		t.FailNow()
	}
	if entries, err := os.ReadDir(meet); err != nil || len(entries) != 2 {
		t.Errorf("%d servers met (%v), want 2", len(entries), err)
	}
}

// Builtin components share a process, one component per role in each, and
// the process is gone once the run is over.
func TestRunSharesBuiltinProcesses(t *testing.T) {
	l := loadLab(t, `
ping_server "server" {
  listen = "127.0.0.1:0"
}
ping_client "a" {
  server = ping_server.server.address
  count  = 2
  timeout = "100ms"
}
ping_client "b" {
  server = ping_server.server.address
  count  = 2
  timeout = "100ms"
}
`)
	res, _ := runLab(t, context.Background(), l)
	if !res.OK() {
		t.Fatalf("result %+v", res.Components)
	}
	server, a, b := res.Components[0].PID, res.Components[1].PID, res.Components[2].PID
	if server == 0 || a == 0 || b == 0 {
		t.Fatalf("pids %d %d %d", server, a, b)
	}
	// Two clients of one role cannot share: the second takes a process of
	// its own.
	if !(server == a && a != b) && !(server == b && a != b) {
		t.Errorf("pids: server %d, clients %d and %d: want the server sharing with one client", server, a, b)
	}
	for _, pid := range []int{a, b} {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("process %d still running after the run", pid)
		}
	}
}

// A builtin server that refers to no other component starts during its
// process's handshake, with the settings its Run call then sends: the call
// takes that run over, so its function runs once and its events are the
// ones shown. A server whose settings refer to another is started by its
// Run call.
func TestRunStartsBuiltinServersEarly(t *testing.T) {
	l := loadLab(t, `
ping_server "first" {
  listen    = "127.0.0.1:0"
  drop_rate = 0
}
ping_server "second" {
  listen    = "127.0.0.1:0"
  drop_rate = ping_server.first.drop_rate
}
ping_client "client" {
  server  = ping_server.first.address
  count   = 1
  timeout = "100ms"
}
`)
	for _, c := range l.Components {
		c.Plugin.Env = append(c.Plugin.Env, countRuns+"=1")
	}
	res, rec := runLab(t, context.Background(), l)
	if !res.OK() {
		t.Fatalf("result %+v", res.Components)
	}
	logs := map[string][]string{}
	rec.mu.Lock()
	for _, ev := range rec.events {
		if ev.Kind == "log" && ev.Source == FromRole {
			logs[ev.Component.Name] = append(logs[ev.Component.Name], ev.Body.(*pb.Log).Message)
		}
	}
	rec.mu.Unlock()
	for name, want := range map[string]string{"first": "run 1, early settings true", "second": "run 1, early settings false"} {
		if !slices.Contains(logs[name], want) {
			t.Errorf("%s logged %q, want %q", name, logs[name], want)
		}
	}
}
