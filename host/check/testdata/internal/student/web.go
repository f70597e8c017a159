package student

import (
	"bufio"
	"context"
	"fmt"
	"mime"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// WebServer is the sheet's web server, finished. Its zero value is right.
type WebServer struct {
	// OneAtATime serves a connection to its end before accepting the next,
	// like the sheet's skeleton.
	OneAtATime bool
	// JoinPath joins the root and the requested path as they are, so that
	// "/../secret.txt" leads out of the root.
	JoinPath bool
}

func (s WebServer) Run(ctx context.Context, cfg *pb.WebServerConfig, out *sdk.WebServerEvents) error {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	out.Ready(ln.Addr().String())
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	context.AfterFunc(ctx, func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for c := range conns {
			c.Close()
		}
	})
	var wg sync.WaitGroup
	for {
		conn, err := ln.Accept()
		if err != nil {
			break
		}
		mu.Lock()
		conns[conn] = true
		mu.Unlock()
		serve := func() {
			s.handle(conn, cfg.Root, out)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
		}
		if s.OneAtATime {
			serve()
		} else {
			wg.Go(serve)
		}
	}
	wg.Wait()
	out.Summary(&pb.WebServerSummary{})
	return nil
}

func (s WebServer) handle(conn net.Conn, root string, out *sdk.WebServerEvents) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	for {
		h, err := r.ReadString('\n')
		if err != nil || strings.TrimSpace(h) == "" {
			break
		}
	}
	req := &pb.WebRequest{Peer: conn.RemoteAddr().String()}
	defer func() { out.Request(req) }()
	parts := strings.Fields(line)
	if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/") {
		req.Status = s.reply(conn, 400, "Bad Request", "text/plain", []byte("bad request\n"))
		return
	}
	req.Method, req.Target, req.Proto = parts[0], parts[1], parts[2]
	target, err := url.PathUnescape(parts[1])
	if err != nil {
		req.Status = s.reply(conn, 400, "Bad Request", "text/plain", []byte("bad request\n"))
		return
	}
	file := filepath.Join(root, path.Clean("/"+target))
	if s.JoinPath {
		file = filepath.Join(root, target)
	}
	body, err := os.ReadFile(file)
	if err != nil {
		req.Status = s.reply(conn, 404, "Not Found", "text/html", []byte("<html><body><h1>404 Not Found</h1></body></html>\n"))
		return
	}
	req.Status = s.reply(conn, 200, "OK", mime.TypeByExtension(filepath.Ext(file)), body)
	req.Bytes = uint64(len(body))
}

func (s WebServer) reply(conn net.Conn, status int, reason, contentType string, body []byte) uint32 {
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", status, reason, contentType, len(body))
	conn.Write(body)
	return uint32(status)
}
