package web

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// A browser's request for the lab's page.
const browserRequest = "GET /HelloWorld.html HTTP/1.1\r\nHost: 127.0.0.1:6789\r\nConnection: keep-alive\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\n\r\n"

func BenchmarkParseRequest(b *testing.B) {
	head := []byte(browserRequest)
	var r request
	name := make([]byte, 0, 256)
	b.SetBytes(int64(len(head)))
	b.ReportAllocs()
	for b.Loop() {
		if err := parseRequest(head[:headEnd(head, 0)], &r, false); err != nil {
			b.Fatal(err)
		}
		if _, err := resolveTarget(r.target, name); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServe1KiB is one kept-alive request for a 1 KiB file over
// loopback, client included; allocs/op counts the server's allocations.
func BenchmarkServe1KiB(b *testing.B) {
	root := b.TempDir()
	if err := os.WriteFile(filepath.Join(root, "1k.bin"), make([]byte, 1024), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg := serverConfig(root)
	cfg.ReportRequests = false
	ts := startServer(b, cfg)
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	req := []byte(get("/1k.bin"))
	// The response's length is the same every time: learn it once.
	resp := make([]byte, 4096)
	if _, err := nc.Write(req); err != nil {
		b.Fatal(err)
	}
	n, err := nc.Read(resp)
	if err != nil {
		b.Fatal(err)
	}
	resp = resp[:n]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := nc.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(nc, resp); err != nil {
			b.Fatal(err)
		}
	}
}
