package page

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/internal/browser"
	"github.com/socklab/socklab/internal/tooltest"
)

// shotsDir is where the tests leave a copy of one screenshot of each kind
// for people to look at.
const shotsDir = "/tmp/socklab-page-shots"

// keepShot copies a screenshot the test took to shotsDir.
func keepShot(t *testing.T, path, name string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(shotsDir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(shotsDir, name), data, 0o644)
	}
	t.Logf("screenshot %s (copy in %s)", path, filepath.Join(shotsDir, name))
}

func chromium(t *testing.T) browser.Chromium {
	return browser.Chromium{Path: tooltest.Need(t, "chromium")}
}

func checkDOM(t *testing.T, load browser.Load, want ...string) {
	t.Helper()
	if strings.Contains(load.Console, "Refused") || strings.Contains(load.Console, "Content Security Policy") {
		t.Errorf("the page broke its own Content-Security-Policy:\n%s", load.Console)
	}
	for _, w := range want {
		if !strings.Contains(load.DOM, w) {
			t.Errorf("the DOM lacks %q", w)
		}
	}
}

// TestPageInChromium: the page of a seeded run opens from file:// with
// its script allowed (it labels the sort buttons), draws its figures with
// their text alternatives, and prints to PDF.
func TestPageInChromium(t *testing.T) {
	c := chromium(t)
	l := loadLab(t, pingLab, nil)
	rec, res, _ := runLab(t, l)
	tr := rec.Trace(res)
	dir := t.TempDir()
	path := filepath.Join(dir, "run.html")
	if err := WriteFile(path, tr); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	load, err := c.DumpDOM(ctx, "file://"+path)
	if err != nil {
		t.Fatal(err)
	}
	checkDOM(t, load, `title="sort by time"`, `<desc>Sequence diagram:`, `aria-label="RTT of each of 30 pings from client`,
		"every component succeeded", "Ping: client")
	if n := strings.Count(load.DOM, `<g class="arrow `); n != len(tr.Packets) {
		t.Errorf("%d arrows in the DOM for %d packets", n, len(tr.Packets))
	}
	shot := filepath.Join(dir, "run.png")
	if _, err := c.Screenshot(ctx, "file://"+path, shot, 1200, 2200); err != nil {
		t.Fatal(err)
	}
	keepShot(t, shot, "run-file.png")
	pdf := filepath.Join(dir, "run.pdf")
	if _, err := c.PrintPDF(ctx, "file://"+path, pdf); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(data, []byte("%PDF")) {
		t.Errorf("no PDF printed (%v)", err)
	}
}

// TestLivePage: while the lab runs, the live URL serves the page as it
// stands and streams updates; once over, it serves the very bytes Write
// writes, and Chromium loads both.
func TestLivePage(t *testing.T) {
	c := chromium(t)
	// Slow pings keep the run going while the page is looked at.
	l := loadLab(t, strings.NewReplacer("count    = 30", "count    = 60", `interval = "5ms"`, `interval = "100ms"`).Replace(pingLab), nil)
	rec := NewRecorder(l, labs.Builtin().Figures())
	live, err := Serve("127.0.0.1:0", rec)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if !strings.HasPrefix(live.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %s: want loopback", live.URL())
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{}, 1)
	results := make(chan *run.Result, 1)
	go func() {
		results <- run.Run(context.Background(), l, run.Options{
			Builtin: []string{self}, Builder: &launch.Builder{Dir: t.TempDir()}, Log: zerolog.Nop(),
			Observe: func(ev run.Event) {
				rec.Observe(ev)
				if ev.Kind == "sent" {
					select {
					case started <- struct{}{}:
					default:
					}
				}
			},
		})
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The stream sends the page's content as events come.
	resp, err := http.Get(live.URL() + "events")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	gotPage := false
	for sc.Scan() && !gotPage {
		gotPage = sc.Text() == "event: page"
	}
	if !gotPage {
		t.Errorf("no page event on the stream")
	}

	load, err := c.DumpDOM(ctx, live.URL())
	if err != nil {
		t.Fatal(err)
	}
	checkDOM(t, load, `data-live="events"`, "Running:", "Sequence diagram")
	dir := t.TempDir()
	shot := filepath.Join(dir, "live-running.png")
	if _, err := c.Screenshot(ctx, live.URL(), shot, 1200, 1600); err != nil {
		t.Fatal(err)
	}
	keepShot(t, shot, "run-live-running.png")

	res := <-results
	var final bytes.Buffer
	if err := Write(&final, rec.Trace(res)); err != nil {
		t.Fatal(err)
	}
	live.Finish(final.Bytes())
	// The open stream is told the run is over.
	done := false
	for sc.Scan() && !done {
		done = sc.Text() == "event: done"
	}
	resp.Body.Close()
	if !done {
		t.Errorf("the stream never said done")
	}
	got, err := http.Get(live.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(body, final.Bytes()) {
		t.Errorf("the finished live page (%d bytes) differs from the written page (%d bytes)", len(body), final.Len())
	}
	load, err = c.DumpDOM(ctx, live.URL())
	if err != nil {
		t.Fatal(err)
	}
	checkDOM(t, load, "every component succeeded", `title="sort by time"`)
	if strings.Contains(load.DOM, `data-live="`) {
		t.Errorf("the finished page is still live")
	}
	shot = filepath.Join(dir, "live-finished.png")
	if _, err := c.Screenshot(ctx, live.URL(), shot, 1200, 1600); err != nil {
		t.Fatal(err)
	}
	keepShot(t, shot, "run-live-finished.png")
}

// TestRoleFiguresInChromium: the heartbeat timeline and the web waterfall
// of seeded runs load in Chromium with their text alternatives.
func TestRoleFiguresInChromium(t *testing.T) {
	c := chromium(t)
	for _, tt := range []struct {
		name, lab string
		files     map[string]string
		want      []string
	}{
		{"heartbeat", heartbeatLab, nil, []string{`aria-label="Heartbeats of pauser as server heard them:`, "DOWN"}},
		{"web", webLab, map[string]string{"www/index.html": "<p>hello</p>\n"}, []string{`aria-label="Request waterfall: 2 requests, 0 without a response`, "404"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec, res, _ := runLab(t, loadLab(t, tt.lab, tt.files))
			dir := t.TempDir()
			path := filepath.Join(dir, "run.html")
			if err := WriteFile(path, rec.Trace(res)); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			load, err := c.DumpDOM(ctx, "file://"+path)
			if err != nil {
				t.Fatal(err)
			}
			checkDOM(t, load, tt.want...)
			shot := filepath.Join(dir, "run.png")
			if _, err := c.Screenshot(ctx, "file://"+path, shot, 1200, 2000); err != nil {
				t.Fatal(err)
			}
			keepShot(t, shot, "run-"+tt.name+".png")
		})
	}
}
