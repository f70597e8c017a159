package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestRunWritesAPage: --html writes the run's page, the lab and its
// sequence diagram in it, fetching nothing.
func TestRunWritesAPage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run.html")
	r := runHost(t, pingLab("", "", 8), "--seed", "5", "--html", out)
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	html := string(data)
	for _, want := range []string{"Content-Security-Policy", "Sequence diagram", "--seed 5", "8 packets transmitted", "every component succeeded"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(html, " src=") || strings.Contains(html, "<link") {
		t.Errorf("the page fetches something")
	}
}

// TestRunServesALivePage: --ui ADDR LAB serves the running lab's page on
// loopback at the URL it prints, then the very page --html writes, until
// interrupted.
func TestRunServesALivePage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run.html")
	h := startHost(t, pingLab("", `interval = "40ms"`, 40), "--json", "--ui", "127.0.0.1:0", "--html", out)
	url := ""
	h.await(t, func(l map[string]any) bool {
		url, _ = l["url"].(string)
		return url != ""
	})
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q: want loopback", url)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	live, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(live, []byte(`data-live="events"`)) {
		t.Errorf("the page served while running is not live:\n%.400s", live)
	}
	h.await(t, func(l map[string]any) bool { return strings.Contains(l["message"].(string), "finished page") })
	resp, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	finished, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(finished, written) || !bytes.Contains(written, []byte("every component succeeded")) {
		t.Errorf("the finished live page (%d bytes) is not the --html page (%d bytes)", len(finished), len(written))
	}
	if err := h.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if r := h.wait(t); r.exit != 0 {
		t.Errorf("exit %d after serving the finished page\n%s", r.exit, r.stderr)
	}
}

// TestUIFlag: --ui alone is loopback; an address may follow it as a
// separate argument or after "=".
func TestUIFlag(t *testing.T) {
	lab := writeLab(t, "")
	for _, c := range []struct {
		args     []string
		addr     string
		leftover int
	}{
		{[]string{lab}, defaultUIAddr, 1},
		{[]string{"127.0.0.1:9999", lab}, "127.0.0.1:9999", 1},
		{[]string{":8080", lab}, ":8080", 1},
	} {
		var u uiFlag
		if err := u.Set("true"); err != nil {
			t.Fatal(err)
		}
		left := u.takeAddress(c.args)
		if u.address() != c.addr || len(left) != c.leftover {
			t.Errorf("%v: address %q, left %v", c.args, u.address(), left)
		}
	}
	var u uiFlag
	if err := u.Set("0.0.0.0:80"); err != nil || u.address() != "0.0.0.0:80" {
		t.Errorf("--ui=0.0.0.0:80: %q, %v", u.address(), err)
	}
	if err := u.Set("lab.hcl"); err == nil {
		t.Errorf("--ui=lab.hcl accepted as an address")
	}
}
