package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/page"
	"github.com/socklab/socklab/host/run"
)

// defaultUIAddr is where --ui serves: loopback only, a free port.
const defaultUIAddr = "127.0.0.1:0"

// uiFlag is --ui, a flag with an optional value: --ui alone serves on
// defaultUIAddr, --ui=ADDR (or --ui ADDR LAB) on ADDR.
type uiFlag struct {
	set  bool
	addr string
}

func (u *uiFlag) String() string   { return "" }
func (u *uiFlag) IsBoolFlag() bool { return true }

func (u *uiFlag) Set(v string) error {
	switch v {
	case "true":
		u.set = true
	case "false":
		u.set = false
	default:
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("want an address like 127.0.0.1:8080, not %q", v)
		}
		u.set, u.addr = true, v
	}
	return nil
}

// takeAddress takes the ADDR of "--ui ADDR LAB" from the positional
// arguments.
func (u *uiFlag) takeAddress(positional []string) []string {
	if !u.set || u.addr != "" || len(positional) != 2 {
		return positional
	}
	if _, err := os.Stat(positional[0]); err == nil {
		return positional
	}
	if _, _, err := net.SplitHostPort(positional[0]); err != nil {
		return positional
	}
	u.addr = positional[0]
	return positional[1:]
}

func (u *uiFlag) address() string {
	if u.addr == "" {
		return defaultUIAddr
	}
	return u.addr
}

// pages are the pictures of a run: the page --html writes and the live
// one --ui serves.
type pages struct {
	rec  *page.Recorder
	html string
	live *page.Live
}

func startPages(l *lab.Lab, cfg *config, log zerolog.Logger) (*pages, error) {
	p := &pages{rec: page.NewRecorder(l, labs.Builtin().Figures()), html: cfg.html}
	if cfg.ui.set {
		live, err := page.Serve(cfg.ui.address(), p.rec)
		if err != nil {
			return nil, err
		}
		p.live = live
		log.Info().Str("url", live.URL()).Msgf("live page at %s", live.URL())
	}
	return p, nil
}

// finish writes the finished page and, for --ui, serves it until ctx is
// cancelled.
func (p *pages) finish(ctx context.Context, res *run.Result, log zerolog.Logger) error {
	var b bytes.Buffer
	if err := page.Write(&b, p.rec.Trace(res)); err != nil {
		return err
	}
	if p.html != "" {
		if err := os.WriteFile(p.html, b.Bytes(), 0o644); err != nil {
			return fmt.Errorf("--html: %w", err)
		}
		log.Info().Str("html", p.html).Msgf("page written to %s", p.html)
	}
	if p.live != nil {
		p.live.Finish(b.Bytes())
		log.Info().Str("url", p.live.URL()).Msgf("the finished page is at %s; interrupt (Ctrl-C) to stop serving it", p.live.URL())
		<-ctx.Done()
		return p.live.Close()
	}
	return nil
}
