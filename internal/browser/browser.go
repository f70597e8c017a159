// Package browser drives headless Chromium for the tests and benchmark of
// socklab's pages: it loads a page (file:// or http://), returns the DOM
// after its scripts ran and what the console said, and takes screenshots.
package browser

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Chromium is a headless Chromium at Path.
type Chromium struct {
	Path string
	// Profile is the directory for its user data ("" a new temporary one
	// per call).
	Profile string
}

// Load is what a page load gave.
type Load struct {
	DOM string
	// Console is what Chromium logged: the page's console messages and
	// its Content-Security-Policy violations among them.
	Console string
	Elapsed time.Duration
}

func (c Chromium) run(ctx context.Context, args ...string) (stdout, stderr []byte, elapsed time.Duration, err error) {
	profile := c.Profile
	if profile == "" {
		dir, err := os.MkdirTemp("", "socklab-chromium-")
		if err != nil {
			return nil, nil, 0, err
		}
		defer os.RemoveAll(dir)
		profile = dir
	}
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-background-networking", "--disable-sync", "--mute-audio",
		"--hide-scrollbars", "--enable-logging=stderr", "--v=0", "--user-data-dir=" + profile}
	cmd := exec.CommandContext(ctx, c.Path, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err = cmd.Run()
	elapsed = time.Since(start)
	if err != nil {
		return out.Bytes(), errb.Bytes(), elapsed, fmt.Errorf("chromium %s: %w\n%s", strings.Join(args, " "), err, tail(errb.String(), 10))
	}
	return out.Bytes(), errb.Bytes(), elapsed, nil
}

// DumpDOM loads url and returns its DOM once loaded (its scripts ran), or
// as it stands after 5 s if it never finishes loading.
func (c Chromium) DumpDOM(ctx context.Context, url string) (Load, error) {
	out, errb, elapsed, err := c.run(ctx, "--timeout=5000", "--dump-dom", url)
	return Load{DOM: string(out), Console: console(errb), Elapsed: elapsed}, err
}

// Screenshot loads url in a window of width × height and saves it as the
// PNG file path.
func (c Chromium) Screenshot(ctx context.Context, url, path string, width, height int) (Load, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Load{}, err
	}
	_, errb, elapsed, err := c.run(ctx, fmt.Sprintf("--window-size=%d,%d", width, height), "--screenshot="+abs, url)
	if err == nil {
		if fi, serr := os.Stat(abs); serr != nil || fi.Size() == 0 {
			err = fmt.Errorf("chromium wrote no screenshot to %s", abs)
		}
	}
	return Load{Console: console(errb), Elapsed: elapsed}, err
}

// PrintPDF loads url and prints it to the PDF file path.
func (c Chromium) PrintPDF(ctx context.Context, url, path string) (Load, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Load{}, err
	}
	_, errb, elapsed, err := c.run(ctx, "--no-pdf-header-footer", "--print-to-pdf="+abs, url)
	return Load{Console: console(errb), Elapsed: elapsed}, err
}

// console keeps the lines of Chromium's log that are the page's console.
func console(stderr []byte) string {
	var lines []string
	for _, l := range strings.Split(string(stderr), "\n") {
		if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Content Security Policy") || strings.Contains(l, "Refused to") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
