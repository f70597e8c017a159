package page

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"os"
	"strings"
	"sync"
)

//go:embed assets/page.tmpl assets/style.css assets/script.js
var assets embed.FS

func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	return string(b)
}

// Shell is what every page shares: its style, its script and the
// Content-Security-Policy that allows exactly those two, by hash, and
// nothing from the network.
type Shell struct {
	Title  string
	Style  template.CSS
	Script template.JS
	CSP    string
	// Live is the URL of a live page's event stream ("" a finished page).
	Live string
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// NewShell returns the shell of a page titled title; live is the URL of
// its event stream, or "".
func NewShell(title, live string) Shell {
	style, script := asset("style.css"), asset("script.js")
	connect := "'none'"
	if live != "" {
		connect = "'self'"
	}
	return Shell{Title: title, Style: template.CSS(style), Script: template.JS(script), Live: live,
		CSP: fmt.Sprintf("default-src 'none'; style-src %s; script-src %s; img-src data:; connect-src %s; base-uri 'none'; form-action 'none'",
			hash(style), hash(script), connect)}
}

// Templates parses the page templates with funcs and any more templates
// (the grade pages'), sharing the figures' definitions.
func Templates(more ...string) *template.Template {
	t := template.New("page").Funcs(template.FuncMap{
		"ms":  fmtMs,
		"add": func(a, b int) int { return a + b },
		"sub": func(a, b int) int { return a - b },
		"div": func(a, b int) int { return a / b },
	})
	template.Must(t.Parse(asset("page.tmpl")))
	for _, m := range more {
		template.Must(t.Parse(m))
	}
	return t
}

// runTemplates are parsed at the first page written, not at start-up:
// every socklab process, the builtin plugin too, would pay for them.
var runTemplates = sync.OnceValue(func() *template.Template { return Templates() })

// runPage is what the run page's template is given.
type runPage struct {
	Shell
	Trace *Trace
	Figures
}

// Figures are a trace's figures, ready to draw.
type Figures struct {
	Seq   *seqView
	Pings []*pingView
	Beats []*beatView
	Web   *webView
}

// Figures lays out t's figures.
func (t *Trace) Figures() Figures {
	hl := map[string]bool{}
	for _, k := range t.Highlight {
		hl[k] = true
	}
	f := Figures{Seq: t.sequence()}
	for i := range t.Pings {
		f.Pings = append(f.Pings, newPingView(&t.Pings[i], hl))
	}
	for _, hs := range t.Heartbeats {
		for i := range hs.Clients {
			f.Beats = append(f.Beats, newBeatView(&hs.Clients[i], hs.Server, t.Elapsed, hl))
		}
	}
	if len(t.Web) > 0 {
		f.Web = webWaterfall(t.Web, hl)
	}
	return f
}

func (t *Trace) title() string {
	title := "socklab: " + t.Title
	if t.Finished {
		return title
	}
	return title + " (running)"
}

// Write writes t as a page on its own.
func Write(w io.Writer, t *Trace) error {
	return writeRun(w, t, "")
}

func writeRun(w io.Writer, t *Trace, live string) error {
	p := runPage{Shell: NewShell(t.title(), live), Trace: t, Figures: t.Figures()}
	return runTemplates().ExecuteTemplate(w, "run", p)
}

// Main renders only the page's main element's content, for a live
// page's update.
func Main(t *Trace) (string, error) {
	var b strings.Builder
	p := runPage{Shell: NewShell(t.title(), ""), Trace: t, Figures: t.Figures()}
	err := runTemplates().ExecuteTemplate(&b, "runmain", p)
	return b.String(), err
}

// WriteFile writes t's page to path.
func WriteFile(path string, t *Trace) error {
	var b bytes.Buffer
	if err := Write(&b, t); err != nil {
		return fmt.Errorf("page %s: %w", path, err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("page: %w", err)
	}
	return nil
}
