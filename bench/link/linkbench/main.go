// Command linkbench measures what a clean link costs: UDP ping round trips
// and TCP bulk throughput, direct, through package link's relay and proxy,
// and through the smallest userspace forwarders, each server and relay in a
// process of its own. bench/link/run.sh drives it.
//
// Servers and relays print their address on stdout and run until killed:
//
//	linkbench udp-echo
//	linkbench tcp-sink
//	linkbench forward -target ADDR          # minimal UDP forwarder
//	linkbench tcp-forward -target ADDR      # minimal TCP proxy
//	linkbench link -proto udp|tcp -target ADDR [-sink]
//
// Clients measure, interleaving the targets in rounds so that a busy
// machine's noise falls on all of them alike:
//
//	linkbench ping -n 4000 -rounds 5 direct=ADDR link=ADDR ...
//	linkbench bulk -seconds 2 -rounds 3 direct=ADDR link=ADDR ...
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: linkbench udp-echo|tcp-sink|forward|tcp-forward|link|ping|bulk [flags]")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{
		"udp-echo": udpEcho, "tcp-sink": tcpSink, "forward": forward, "tcp-forward": tcpForward, "link": runLink, "ping": pingCmd, "bulk": bulkCmd,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "linkbench: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := cmd(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "linkbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

// target is a named address to measure.
type target struct{ name, addr string }

// targets parses NAME=ADDR arguments.
func targets(fs *flag.FlagSet) ([]target, error) {
	var ts []target
	for _, arg := range fs.Args() {
		name, addr, ok := strings.Cut(arg, "=")
		if !ok {
			return nil, fmt.Errorf("want NAME=ADDR, got %q", arg)
		}
		ts = append(ts, target{name, addr})
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("no targets")
	}
	return ts, nil
}
