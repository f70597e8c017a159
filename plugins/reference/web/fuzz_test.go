package web

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseRequest feeds arbitrary bytes through what the server does with
// a request head: find its end, parse it, resolve its target. None may
// panic, and what they accept must be what the server relies on.
func FuzzParseRequest(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /HelloWorld.html HTTP/1.0\r\n\r\n",
		"HEAD /a/b/?q=1 HTTP/1.1\nHost: a\nConnection: close\n\n",
		"\r\nGET http://h/x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, x\r\n\r\n",
		"POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
		"GET /%2e%2e/%2fetc/passwd HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /..%5c..%5c HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
		"GET / HTTP/2.0\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET /a\x00 HTTP/1.1\r\nX: \r\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body := trimBlankLines(data)
		end := headEnd(body, 0)
		if end < 0 {
			return
		}
		var r request
		if err := parseRequest(body[:end], &r, false); err != nil {
			if _, ok := err.(*statusError); !ok {
				t.Fatalf("error %v is not a statusError", err)
			}
			return
		}
		if !isToken(r.method) || len(r.target) == 0 || bytes.ContainsAny(r.target, " \r\n\x00") {
			t.Fatalf("accepted request line %q %q", r.method, r.target)
		}
		if string(r.proto[:7]) != "HTTP/1." || r.minor > 1 {
			t.Fatalf("accepted version %q (minor %d)", r.proto, r.minor)
		}
		if r.contentLength > 0 && !r.body {
			t.Fatalf("body %v with Content-Length %d", r.body, r.contentLength)
		}
		res, err := resolveTarget(r.target, nil)
		if err != nil {
			return
		}
		name := string(res.name)
		if name != "." && (name == "" || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/")) {
			t.Fatalf("target %q resolved to %q", r.target, name)
		}
		for seg := range strings.SplitSeq(name, "/") {
			if seg == "" || seg == ".." || seg == "." && name != "." || strings.ContainsRune(seg, 0) {
				t.Fatalf("target %q resolved to %q", r.target, name)
			}
		}
	})
}
