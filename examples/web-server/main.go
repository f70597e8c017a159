// Command web-server is the lab sheet's WebServer.py skeleton as a student
// would port it to Go and fill in, with optional exercise 1 (a goroutine per
// connection, the "multithreaded" server), served as a socklab plugin.
//
// Like the skeleton it answers one request per connection and closes it:
// GET (and HEAD) of a file under the document root with "HTTP/1.1 200 OK"
// and its header lines, or "404 Not Found". concurrency = "one_at_a_time" in
// the lab file gives the skeleton's one-connection-at-a-time loop.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net"
	"net/url"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// writeTimeout bounds sending one response to a client that stops reading.
const writeTimeout = 30 * time.Second

const notFoundPage = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n"

type server struct{}

func (server) Run(ctx context.Context, cfg *pb.WebServerConfig, out *sdk.WebServerEvents) error {
	// os.Root refuses any name that leads out of the directory, through
	// ".." or a symlink: the files of the server, not the whole disk.
	root, err := os.OpenRoot(cfg.Root)
	if err != nil {
		return err
	}
	defer root.Close()

	// Prepare a server socket
	serverSocket, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	out.Ready(serverSocket.Addr().String())
	fmt.Println("Ready to serve...")
	go func() {
		<-ctx.Done()
		serverSocket.Close() // wakes up Accept below
	}()

	var totals totals
	var connections sync.WaitGroup
	for {
		// Establish the connection
		connectionSocket, err := serverSocket.Accept()
		if err != nil {
			break // closed: the host stopped us
		}
		totals.connection()
		if cfg.Concurrency == pb.Concurrency_CONCURRENCY_ONE_AT_A_TIME {
			serve(ctx, connectionSocket, root, cfg, out, &totals)
			continue
		}
		// Optional exercise 1: each connection in its own goroutine.
		connections.Go(func() { serve(ctx, connectionSocket, root, cfg, out, &totals) })
	}
	connections.Wait()
	out.Summary(totals.summary())
	return nil
}

// serve answers the one request of a connection, then closes it.
func serve(ctx context.Context, connectionSocket net.Conn, root *os.Root, cfg *pb.WebServerConfig, out *sdk.WebServerEvents, totals *totals) {
	defer connectionSocket.Close()
	// When the host stops us, a client still sending its request is cut
	// off; a response being sent goes on.
	stop := context.AfterFunc(ctx, func() { connectionSocket.SetReadDeadline(time.Now()) })
	defer stop()

	start := time.Now()
	connectionSocket.SetReadDeadline(start.Add(cfg.ReadTimeout.AsDuration()))
	message, err := readRequest(connectionSocket, int(cfg.MaxHeaderBytes))
	if len(message) == 0 && err != nil {
		return // closed or silent without a byte: no request to report
	}
	request := &pb.WebRequest{Peer: connectionSocket.RemoteAddr().String()}
	status, bytesSent, reason := 0, 0, ""
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		reason = "no whole request within the read timeout"
	case err == errTooLarge:
		status, reason = sendError(connectionSocket, 400, "Bad Request", err.Error())
	case err != nil:
		reason = "connection closed before the request was whole: " + err.Error()
	default:
		// The request line is the first line: "GET /HelloWorld.html HTTP/1.1".
		requestLine, _, _ := strings.Cut(string(message), "\r\n")
		parts := strings.Split(requestLine, " ")
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "HTTP/1.") {
			status, reason = sendError(connectionSocket, 400, "Bad Request", fmt.Sprintf("malformed request line %q", requestLine))
			break
		}
		request.Method, request.Target, request.Proto = parts[0], parts[1], parts[2]
		status, bytesSent, reason = answer(connectionSocket, root, request.Method, request.Target)
	}
	request.Status = uint32(status)
	request.Bytes = uint64(bytesSent)
	request.Reason = reason
	request.Duration = durationpb.New(time.Since(start))
	totals.request(status, bytesSent)
	if cfg.ReportRequests {
		out.Request(request)
	}
}

var errTooLarge = errors.New("request line and headers too large")

// readRequest receives the request line and the header lines, up to the
// empty line that ends them.
func readRequest(connectionSocket net.Conn, limit int) ([]byte, error) {
	var message []byte
	buf := make([]byte, 1024)
	for !bytes.Contains(message, []byte("\r\n\r\n")) {
		if len(message) > limit {
			return message, errTooLarge
		}
		n, err := connectionSocket.Read(buf)
		message = append(message, buf[:n]...)
		if err != nil {
			return message, err
		}
	}
	return message, nil
}

// answer sends the file target names, or 404 Not Found, and returns the
// status, the body bytes sent and why it was not a 200.
func answer(connectionSocket net.Conn, root *os.Root, method, target string) (int, int, string) {
	if method != "GET" && method != "HEAD" {
		status, reason := sendError(connectionSocket, 405, "Method Not Allowed", "only GET and HEAD")
		return status, 0, reason
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		status, reason := sendError(connectionSocket, 400, "Bad Request", err.Error())
		return status, 0, reason
	}
	// filename[1:] in the skeleton: the path without its leading "/".
	filename := strings.TrimPrefix(path.Clean(u.Path), "/")
	if filename == "" {
		filename = "."
	}
	if info, err := root.Stat(filename); err == nil && info.IsDir() {
		filename = path.Join(filename, "index.html")
	}
	outputdata, err := root.ReadFile(filename)
	if err != nil {
		// Send response message for file not found
		reason := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			reason = filename + " not found"
		}
		header := "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n" +
			fmt.Sprintf("Content-Length: %d\r\nConnection: close\r\n\r\n", len(notFoundPage))
		body := []byte(notFoundPage)
		if method == "HEAD" {
			body = nil
		}
		if err := send(connectionSocket, header, body); err != nil {
			return 404, 0, reason + "; " + err.Error()
		}
		return 404, len(body), reason
	}

	contentType := mime.TypeByExtension(path.Ext(filename))
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	// Send the HTTP header lines into the socket, then the file.
	header := "HTTP/1.1 200 OK\r\n" +
		"Content-Type: " + contentType + "\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n", len(outputdata)) +
		"Connection: close\r\n\r\n"
	if method == "HEAD" {
		outputdata = nil
	}
	if err := send(connectionSocket, header, outputdata); err != nil {
		return 200, 0, err.Error()
	}
	return 200, len(outputdata), ""
}

// sendError answers status with no body, for a request it cannot serve.
func sendError(connectionSocket net.Conn, status int, text, reason string) (int, string) {
	header := fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", status, text)
	if err := send(connectionSocket, header, nil); err != nil {
		reason += "; " + err.Error()
	}
	return status, reason
}

// send writes the header lines and the body in one go.
func send(connectionSocket net.Conn, header string, body []byte) error {
	connectionSocket.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := connectionSocket.Write(append([]byte(header), body...))
	return err
}

// totals counts for the Summary; goroutines of several connections add
// to it at once.
type totals struct {
	mu  sync.Mutex
	sum pb.WebServerSummary
}

func (t *totals) connection() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sum.Connections++
}

func (t *totals) request(status, bytes int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sum.Requests++
	t.sum.Bytes += uint64(bytes)
	if t.sum.ByStatus == nil {
		t.sum.ByStatus = map[uint32]uint64{}
	}
	t.sum.ByStatus[uint32(status)]++
}

func (t *totals) summary() *pb.WebServerSummary {
	t.mu.Lock()
	defer t.mu.Unlock()
	return &pb.WebServerSummary{Connections: t.sum.Connections, Requests: t.sum.Requests, Bytes: t.sum.Bytes, ByStatus: t.sum.ByStatus}
}

func main() {
	sdk.ServeWebServer(server{})
}
