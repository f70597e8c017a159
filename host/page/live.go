package page

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/socklab/socklab/host/run"
)

// liveEvery is how often a live page is sent what changed, at most.
const liveEvery = 300 * time.Millisecond

// Live serves the page of a run in progress: GET / is the page as it
// stands, GET /events a stream of server-sent events, "page" with the
// page's new content whenever events arrived and "done" once the run is
// over. From then on GET / serves the finished page, the same bytes as
// Write.
type Live struct {
	rec *Recorder
	ln  net.Listener
	srv *http.Server

	mu    sync.Mutex
	final []byte
	done  chan struct{}
}

// Serve listens on addr and serves rec's run live until Close.
func Serve(addr string, rec *Recorder) (*Live, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("live page: %w", err)
	}
	l := &Live{rec: rec, ln: ln, done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", l.page)
	mux.HandleFunc("GET /events", l.events)
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = l.srv.Serve(ln) }()
	return l, nil
}

// URL is where the page is served.
func (l *Live) URL() string {
	addr := l.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port)) + "/"
}

// Finish serves page, the finished run's page, from now on and tells
// live pages to load it.
func (l *Live) Finish(page []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.final == nil {
		l.final = page
		close(l.done)
	}
}

// Close stops serving.
func (l *Live) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := l.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return l.srv.Close()
	}
	return err
}

func (l *Live) finished() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.final
}

func headers(w http.ResponseWriter, contentType string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
}

func (l *Live) page(w http.ResponseWriter, r *http.Request) {
	headers(w, "text/html; charset=utf-8")
	if final := l.finished(); final != nil {
		_, _ = w.Write(final)
		return
	}
	if err := writeRun(w, l.rec.Trace(nil), "events"); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func (l *Live) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	headers(w, "text/event-stream")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	send := func(event, data string) bool {
		_, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
		flusher.Flush()
		return err == nil
	}
	seen := -1
	wait := liveEvery
	for {
		select {
		case <-r.Context().Done():
			return
		case <-l.done:
			send("done", "{}")
			return
		case <-time.After(wait):
		}
		n := l.rec.Len()
		if n == seen {
			continue
		}
		seen = n
		start := time.Now()
		main, err := Main(l.rec.Trace(nil))
		if err != nil {
			return
		}
		// A long run's page takes a while to draw: the run keeps at least
		// three quarters of the time that drawing would take from it.
		wait = max(liveEvery, 3*time.Since(start))
		data, _ := json.Marshal(main)
		if !send("page", string(data)) {
			return
		}
	}
}

// Len is how many events have been recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// Events returns a copy of the events recorded so far.
func (r *Recorder) Events() []run.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]run.Event(nil), r.events...)
}
