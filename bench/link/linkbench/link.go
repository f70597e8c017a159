package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/socklab/socklab/host/link"
)

// runLink runs one clean link, as the host would, until terminated.
func runLink(args []string) error {
	fs := flag.NewFlagSet("link", flag.ExitOnError)
	proto := fs.String("proto", "udp", "udp or tcp")
	to := fs.String("target", "", "server address")
	sink := fs.Bool("sink", false, "record every event, as a host collecting ground truth does")
	profile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	fs.Parse(args)
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := link.Config{Name: "bench", Target: *to}
	events := 0
	if *sink {
		cfg.Sink = func(link.Event) { events++ }
	}
	var l interface {
		Close() error
		Summary() link.Summary
	}
	var err error
	switch *proto {
	case "udp":
		var u *link.UDP
		if u, err = link.NewUDP(ctx, cfg); err == nil {
			l = u
			fmt.Println(u.Addr())
		}
	case "tcp":
		var t *link.TCP
		if t, err = link.NewTCP(ctx, cfg); err == nil {
			l = t
			fmt.Println(t.Addr())
		}
	default:
		err = fmt.Errorf("unknown protocol %q", *proto)
	}
	if err != nil {
		return err
	}
	<-ctx.Done()
	l.Close()
	fmt.Fprintf(os.Stderr, "%v (%d events)\n", l.Summary(), events)
	return nil
}
