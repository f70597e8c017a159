package web

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Bounds on max_header_bytes: a smaller head cannot carry a browser's
// request, a larger one only costs memory per connection.
const (
	minHeaderBytes = 256
	maxHeaderBytes = 1 << 20
)

// maxDefaultConnections caps the default of max_connections, whatever the
// open-file limit.
const maxDefaultConnections = 10000

// defaultMaxConnections is three quarters of the open-file limit, at most
// maxDefaultConnections: the last quarter is for the files served, the
// refusals and the plugin itself.
func defaultMaxConnections(openFiles uint64) int {
	if openFiles == 0 {
		return maxDefaultConnections
	}
	return int(max(1, min(openFiles/4*3, maxDefaultConnections)))
}

// serverSettings is a validated WebServerConfig.
type serverSettings struct {
	listen         string
	root           string
	oneAtATime     bool
	readTimeout    time.Duration
	idleTimeout    time.Duration
	maxHeaderBytes int
	report         bool
	maxConns       int
	allowNoHost    bool
}

func newServerSettings(cfg *pb.WebServerConfig) (serverSettings, error) {
	s := serverSettings{
		listen:         cfg.GetListen(),
		root:           cfg.GetRoot(),
		maxHeaderBytes: int(cfg.GetMaxHeaderBytes()),
		report:         cfg.GetReportRequests(),
		maxConns:       int(cfg.GetMaxConnections()),
		allowNoHost:    cfg.GetAllowNoHost(),
	}
	if s.maxConns == 0 {
		s.maxConns = defaultMaxConnections(openFileLimit())
	}
	var errs []error
	if s.listen == "" {
		errs = append(errs, errors.New("listen is empty"))
	}
	if s.root == "" || !filepath.IsAbs(s.root) {
		errs = append(errs, fmt.Errorf("root %q is not an absolute directory", s.root))
	}
	switch cfg.GetConcurrency() {
	case pb.Concurrency_CONCURRENCY_PER_CONNECTION:
	case pb.Concurrency_CONCURRENCY_ONE_AT_A_TIME:
		s.oneAtATime = true
	default:
		errs = append(errs, fmt.Errorf("unknown concurrency %v", cfg.GetConcurrency()))
	}
	var err error
	if s.readTimeout, err = positive("read_timeout", cfg.GetReadTimeout()); err != nil {
		errs = append(errs, err)
	}
	if s.idleTimeout, err = positive("idle_timeout", cfg.GetIdleTimeout()); err != nil {
		errs = append(errs, err)
	}
	if s.maxHeaderBytes < minHeaderBytes || s.maxHeaderBytes > maxHeaderBytes {
		errs = append(errs, fmt.Errorf("max_header_bytes %d is outside [%d, %d]",
			s.maxHeaderBytes, minHeaderBytes, maxHeaderBytes))
	}
	if err := errors.Join(errs...); err != nil {
		return s, fmt.Errorf("web server config: %w", err)
	}
	return s, nil
}

// clientSettings is a validated WebClientConfig.
type clientSettings struct {
	server   string
	paths    []string
	method   string
	showBody bool
	timeout  time.Duration
}

func newClientSettings(cfg *pb.WebClientConfig) (clientSettings, error) {
	c := clientSettings{
		server:   cfg.GetServer(),
		method:   cfg.GetMethod(),
		showBody: cfg.GetShowBody(),
	}
	var errs []error
	if _, port, err := net.SplitHostPort(c.server); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("server %q is not host:port", c.server))
	}
	if len(cfg.GetPaths()) == 0 {
		errs = append(errs, errors.New("no paths"))
	}
	for _, p := range cfg.GetPaths() {
		if p == "" || strings.ContainsFunc(p, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			errs = append(errs, fmt.Errorf("path %q is empty or has spaces or control characters", p))
			continue
		}
		// The sheet's client takes a bare file name.
		if p[0] != '/' {
			p = "/" + p
		}
		c.paths = append(c.paths, p)
	}
	if !isToken([]byte(c.method)) {
		errs = append(errs, fmt.Errorf("method %q is not an HTTP token", c.method))
	}
	var err error
	if c.timeout, err = positive("timeout", cfg.GetTimeout()); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("web client config: %w", err)
	}
	return c, nil
}

func positive(name string, d *durationpb.Duration) (time.Duration, error) {
	if d == nil || d.CheckValid() != nil || d.AsDuration() <= 0 {
		return 0, fmt.Errorf("%s %v is not a positive duration", name, d.AsDuration())
	}
	return d.AsDuration(), nil
}
