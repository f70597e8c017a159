package main

import (
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socklab/socklab/internal/tooltest"
)

// TestPluginKinds runs the same lab with each way of naming a plugin.
func TestPluginKinds(t *testing.T) {
	serverBin := buildExample(t, "examples/ping-server")
	tests := []struct {
		name           string
		server, client string
		serverPlugin   string
		clientPlugin   string
	}{
		{"builtin both", "", "", "builtin", "builtin"},
		{"builtin spelled out", "plugin {\n    builtin = true\n  }", "", "builtin", "builtin"},
		{"go source client", "", goPlugin(t, "examples/ping-client"), "builtin", "go "},
		{"go source server", goPlugin(t, "examples/ping-server"), "", "go ", "builtin"},
		{"prebuilt command server", commandPlugin(serverBin), goPlugin(t, "examples/ping-client"), "command ", "go "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runHost(t, pingLab(tt.server, tt.client, 4))
			if r.exit != 0 {
				t.Fatalf("exit %d\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
			for comp, kind := range map[string]string{"server": tt.serverPlugin, "client": tt.clientPlugin} {
				res := r.result(t, comp)
				if !strings.HasPrefix(res["plugin"].(string), kind) || res["ok"] != true {
					t.Errorf("%s: %v, want plugin %q", comp, res, kind)
				}
			}
			if sum := r.result(t, "client")["summary"].(map[string]any); sum["transmitted"] != float64(4) {
				t.Errorf("client summary %v", sum)
			}
		})
	}
}

// TestClientStatsAgainstKnownDrops checks the reference client's report
// against the drops the seeded reference server says it made.
func TestClientStatsAgainstKnownDrops(t *testing.T) {
	r := runHost(t, pingLab("", "", 20), "--seed", "1234")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	dropped := map[float64]bool{}
	for _, ev := range r.events("server", "drop") {
		var seq float64
		fmt.Sscanf(ev["message"].(string), "drop \"Ping %g", &seq)
		dropped[seq] = true
	}
	timedOut := map[float64]bool{}
	for _, ev := range r.events("client", "timeout") {
		timedOut[ev["event"].(map[string]any)["seq"].(float64)] = true
	}
	if len(dropped) == 0 || len(dropped) == 20 || fmt.Sprint(dropped) != fmt.Sprint(timedOut) {
		t.Fatalf("server dropped %v, client timed out %v", dropped, timedOut)
	}
	var rtts []time.Duration
	for _, ev := range r.events("client", "reply") {
		rtts = append(rtts, seconds(t, ev["event"].(map[string]any)["rtt_s"]))
	}
	sum := r.result(t, "client")["summary"].(map[string]any)
	if want := 100 * float64(len(dropped)) / 20; sum["loss_percent"] != want || sum["received"] != float64(len(rtts)) {
		t.Fatalf("summary %v, want loss %v and %d received", sum, want, len(rtts))
	}
	lo, hi, total := rtts[0], rtts[0], time.Duration(0)
	for _, d := range rtts {
		lo, hi, total = min(lo, d), max(hi, d), total+d
	}
	got := func(k string) time.Duration { return seconds(t, sum[k+"_s"]) }
	if got("rtt_min") != lo || got("rtt_max") != hi || (got("rtt_avg")-total/time.Duration(len(rtts))).Abs() > time.Microsecond {
		t.Fatalf("summary rtt %v/%v/%v, replies say %v/%v/%v", got("rtt_min"), got("rtt_avg"), got("rtt_max"), lo, total/time.Duration(len(rtts)), hi)
	}
	// Same seed, same drops: the run is reproducible.
	again := runHost(t, pingLab("", "", 20), "--seed", "1234")
	if n := len(again.events("server", "drop")); n != len(dropped) {
		t.Fatalf("second run with the same seed dropped %d, first %d", n, len(dropped))
	}
}

// TestQuietPingSettingsKeepTheRecord: with the settings for measuring, the
// client's pings still all reach the report (after the last one) and the
// server reports only its counts.
func TestQuietPingSettingsKeepTheRecord(t *testing.T) {
	r := runHost(t, pingLab("summary_only = true", "hold_events = true", 20), "--seed", "1234")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	if n := len(r.events("server", "echo")) + len(r.events("server", "drop")); n != 0 {
		t.Errorf("server reported %d datagrams one by one", n)
	}
	if srv := r.result(t, "server")["summary"].(map[string]any); fmt.Sprint(srv["received"]) != "20" { // a JSON number, uint64 too
		t.Errorf("server summary %v", srv)
	}
	sum := r.result(t, "client")["summary"].(map[string]any)
	replies, timeouts := len(r.events("client", "reply")), len(r.events("client", "timeout"))
	if len(r.events("client", "sent")) != 20 || replies+timeouts != 20 || sum["received"] != float64(replies) || timeouts == 0 {
		t.Fatalf("client: 20 sent, %d replies, %d timeouts; summary %v", replies, timeouts, sum)
	}
}

// studentModule makes a student's own Go module, outside this repository,
// holding a copy of the example ping client.
func studentModule(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(root, "examples/ping-client/main.go"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	gomod := fmt.Sprintf("module student\n\ngo 1.26\n\nrequire github.com/socklab/socklab v0.0.0\n\nreplace github.com/socklab/socklab => %s\n", root)
	for name, data := range map[string][]byte{"main.go": src, "go.sum": sum, "go.mod": []byte(gomod)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tidy := osexec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	return dir
}

// TestGoSourceIsCachedAndRebuilt: the host builds a student's package
// once, reuses the binary while the source is unchanged, rebuilds it when
// the source changes, and shows a compile error against the lab file.
func TestGoSourceIsCachedAndRebuilt(t *testing.T) {
	dir := studentModule(t)
	lab := writeLab(t, pingLab("", fmt.Sprintf("plugin {\n    go = %q\n  }", dir), 2))
	env := []string{"XDG_CACHE_HOME=" + t.TempDir()}
	built := func() time.Time {
		t.Helper()
		env := env[0][len("XDG_CACHE_HOME="):]
		matches, _ := filepath.Glob(filepath.Join(env, "socklab", "plugins", "*", filepath.Base(dir)))
		if len(matches) != 1 {
			t.Fatalf("built plugins in the cache: %v", matches)
		}
		fi, err := os.Stat(matches[0])
		if err != nil {
			t.Fatal(err)
		}
		return fi.ModTime()
	}
	run := func(wantExit int) hostRun {
		t.Helper()
		r := startHostIn(t, "", env, "run", "--json", lab).wait(t)
		if r.exit != wantExit {
			t.Fatalf("exit %d, want %d\n%s\n%s", r.exit, wantExit, r.stdout, r.stderr)
		}
		return r
	}

	run(0)
	first := built()
	run(0)
	if again := built(); !again.Equal(first) {
		t.Fatalf("unchanged source was rebuilt: %v then %v", first, again)
	}

	main := filepath.Join(dir, "main.go")
	src, _ := os.ReadFile(main)
	edited := strings.Replace(string(src), `fmt.Println("Request timed out")`, `fmt.Println("Request timed out!")`, 1)
	if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	run(0)
	if rebuilt := built(); !rebuilt.After(first) {
		t.Fatalf("changed source was not rebuilt (%v, %v)", first, rebuilt)
	}

	broken := strings.Replace(edited, "func main() {", "func main() {\n\tundefinedThing()", 1)
	if err := os.WriteFile(main, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(2)
	for _, want := range []string{"lab.hcl:13:10: error: Go plugin of ping_client.client does not build", "undefined: undefinedThing", `go = "`} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
}

// TestValidate checks a good lab and a bad one without running them.
func TestValidate(t *testing.T) {
	good := startHostIn(t, "", nil, "validate", writeLab(t, pingLab("", goPlugin(t, "examples/ping-client"), 3))).wait(t)
	if good.exit != 0 || !strings.Contains(good.stdout, "ok, 2 components") {
		t.Fatalf("exit %d\n%s\n%s", good.exit, good.stdout, good.stderr)
	}
	bad := startHostIn(t, "", nil, "validate", writeLab(t, "ping_client \"c\" {\n  server = \"127.0.0.1:1\"\n  count  = \"ten\"\n}\n")).wait(t)
	want := "lab.hcl:3:12: error: Invalid value for count\n"
	if bad.exit != 2 || !strings.Contains(bad.stderr, want) || !strings.Contains(bad.stderr, `     3 |   count  = "ten"`) {
		t.Fatalf("exit %d, stderr:\n%s", bad.exit, bad.stderr)
	}
}

// TestPingServerAnswersNetcat: the reference server works for a client
// that is no plugin at all, here `nc -u`, as the sheet's students test it.
func TestPingServerAnswersNetcat(t *testing.T) {
	nc := tooltest.Need(t, "nc")
	h := startHost(t, "ping_server \"server\" {\n  listen    = \"127.0.0.1:0\"\n  drop_rate = 0\n}\n", "--json")
	var addr string
	h.await(t, func(l map[string]any) bool {
		if l["kind"] == "ready" {
			addr = l["event"].(map[string]any)["address"].(string)
		}
		return addr != ""
	})
	host, port, _ := strings.Cut(addr, ":")
	cmd := osexec.Command(nc, "-u", "-w1", host, port)
	cmd.Stdin = strings.NewReader("Ping 1 1764147583.123456")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("nc: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "PING 1 1764147583.123456" {
		t.Fatalf("nc got %q", got)
	}
	if err := h.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if r := h.wait(t); r.exit != 0 || r.result(t, "server")["summary"].(map[string]any)["echoed"] != float64(1) {
		t.Fatalf("exit %d: %s", r.exit, r.stdout)
	}
}
