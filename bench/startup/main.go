// Command startup measures how long a lab takes to get going against the
// floor it is built on, in one run: from the start of a run to every plugin
// ready (handshake done, every server bound and Ready) for labs of 2, 4 and
// 6 builtin plugins (the reference ping, heartbeat and web pairs), against
// go-plugin's own start of the smallest gRPC plugin (bench/spine/bareplugin),
// NewClient to a dispensed connection. The targets take turns round by
// round, so that noise from the rest of the machine falls on all alike.
//
// Run from the repository root: go run ./bench/startup [-rounds N] [-before BIN] [-lab N]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/internal/goplugin"
	"github.com/socklab/socklab/proto/roles"
)

// pairs are the labs' components, a server and its client per lab of the
// sheet; a lab of N plugins takes the first N/2 pairs.
var pairs = []string{`
ping_server "ps" {
  listen = "127.0.0.1:0"
}
ping_client "pc" {
  server  = ping_server.ps.address
  count   = 1
  timeout = "100ms"
}
`, `
heartbeat_server "hs" {
  listen = "127.0.0.1:0"
}
heartbeat_client "hc" {
  server   = heartbeat_server.hs.address
  count    = 1
  interval = "10ms"
}
`, `
web_server "ws" {
  listen = "127.0.0.1:0"
  root   = %q
}
web_client "wc" {
  server = web_server.ws.address
  paths  = ["/index.html"]
}
`}

func main() {
	rounds := flag.Int("rounds", 20, "start-ups of each target")
	before := flag.String("before", "", "also time the builtin plugin of the socklab binary `BIN` (built from an earlier commit), in the same rounds")
	only := flag.Int("lab", 0, "time only the bare start and the lab of `N` builtin plugins (2, 4 or 6)")
	flag.Parse()
	if err := bench(*rounds, *before, *only); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

func bench(rounds int, before string, only int) error {
	dir, err := os.MkdirTemp("", "socklab-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bins := map[string]string{}
	for name, pkg := range map[string]string{"socklab": "./host", "bareplugin": "./bench/spine/bareplugin"} {
		bins[name] = filepath.Join(dir, name)
		if out, err := exec.Command("go", "build", "-o", bins[name], pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	root := filepath.Join(dir, "www")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte("<p>hello</p>\n"), 0o644); err != nil {
		return err
	}
	pairs[2] = fmt.Sprintf(pairs[2], root)

	type target struct {
		name    string
		startup func() (time.Duration, error)
		times   []time.Duration
	}
	targets := []*target{
		{name: "bare go-plugin, one plugin", startup: func() (time.Duration, error) { return bareStartup(bins["bareplugin"]) }},
	}
	socklabs := []struct{ name, bin string }{{"", bins["socklab"]}}
	if before != "" {
		socklabs = append(socklabs, struct{ name, bin string }{" (-before)", before})
	}
	for _, s := range socklabs {
		if only == 0 {
			targets = append(targets,
				&target{name: "one builtin plugin, handshake" + s.name, startup: func() (time.Duration, error) { return builtinStartup(s.bin, false) }},
				&target{name: "the same as a command, contained" + s.name, startup: func() (time.Duration, error) { return builtinStartup(s.bin, true) }})
		}
		for n := 1; n <= len(pairs); n++ {
			if only != 0 && only != 2*n {
				continue
			}
			l, err := loadLab(dir, n)
			if err != nil {
				return err
			}
			targets = append(targets, &target{
				name:    fmt.Sprintf("socklab lab, %d builtin plugins%s", 2*n, s.name),
				startup: func() (time.Duration, error) { return labStartup(l, s.bin, dir) },
			})
		}
	}
	for round := range rounds {
		for i := range targets {
			t := targets[(round+i)%len(targets)]
			d, err := t.startup()
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			t.times = append(t.times, d)
		}
	}
	floor := median(targets[0].times)
	fmt.Printf("start-up to every plugin ready, median (min-max) of %d; ratio of medians; median (quartiles) of the ratios to the bare start of the same round\n", rounds)
	for _, t := range targets {
		paired := make([]float64, rounds)
		for r := range rounds {
			paired[r] = float64(t.times[r]) / float64(targets[0].times[r])
		}
		slices.Sort(paired)
		fmt.Printf("  %-45s %8s (%s-%s)   %.2fx   %.2fx (%.2f-%.2f)\n", t.name, ms(median(t.times)), ms(slices.Min(t.times)), ms(slices.Max(t.times)),
			float64(median(t.times))/float64(floor), paired[rounds/2], paired[rounds/4], paired[3*rounds/4])
	}
	return nil
}

// bareStartup times go-plugin's own start of the smallest plugin: from
// NewClient to a dispensed gRPC connection.
func bareStartup(bin string) (time.Duration, error) {
	start := time.Now()
	c := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  plugin.HandshakeConfig{ProtocolVersion: 1, MagicCookieKey: "BARE_PLUGIN", MagicCookieValue: "bare"},
		Plugins:          plugin.PluginSet{"bare": &goplugin.GRPCPlugin{}},
		Cmd:              exec.Command(bin),
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hclog.NewNullLogger(),
		Stderr:           io.Discard,
	})
	defer c.Kill()
	rpc, err := c.Client()
	if err == nil {
		_, err = rpc.Dispense("bare")
	}
	return time.Since(start), err
}

// builtinStartup times launch.Start of one builtin plugin, as `socklab
// run` starts it: the handshake alone, no Run. As a command, the same
// program is started as a student's plugin is, under contain.
func builtinStartup(socklab string, asCommand bool) (time.Duration, error) {
	spec := launch.Spec{StartTimeout: 10 * time.Second}
	if asCommand {
		spec.Command = []string{socklab, "plugin"}
	}
	start := time.Now()
	p, err := launch.Start(context.Background(), launch.Options{
		Component: "server", Role: roles.PingServer().Name, Builtin: []string{socklab, "plugin"}, Contain: []string{socklab},
		Spec: spec, Log: zerolog.Nop(),
	})
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	p.Kill()
	return d, nil
}

func loadLab(dir string, n int) (*lab.Lab, error) {
	path := filepath.Join(dir, fmt.Sprintf("lab%d.hcl", n))
	src := "lab {\n  links = false\n}\n"
	for _, p := range pairs[:n] {
		src += p
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		return nil, err
	}
	seed := int64(1)
	l, diags := lab.Load(path, lab.Options{Seed: &seed, Roles: labs.Builtin().Roles()})
	if diags.HasErrors() {
		return nil, diags
	}
	return l, nil
}

// labStartup runs l as `socklab run` does (its components contained by
// the socklab binary's contain subcommand, where launch contains them)
// and returns the time from the start of the run to every plugin ready.
func labStartup(l *lab.Lab, socklab, dir string) (time.Duration, error) {
	res := run.Run(context.Background(), l, run.Options{
		Builtin: []string{socklab, "plugin"},
		Contain: []string{socklab},
		Builder: &launch.Builder{Dir: filepath.Join(dir, "cache")},
		Log:     zerolog.Nop(),
	})
	if !res.OK() {
		for _, c := range res.Components {
			if c.Err != nil {
				return 0, fmt.Errorf("%s: %w", c.Component.Name, c.Err)
			}
		}
		return 0, fmt.Errorf("lab failed: %v", res.Err)
	}
	return res.Startup, nil
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
