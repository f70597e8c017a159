// Command web-client is the HTTP client of the web server lab's optional
// exercise 2, "client server_host server_port filename", as a student would
// write it in Go, served as a socklab plugin: the lab file's server setting
// is server_host:server_port, and each of its paths is a filename. For each
// one it connects over TCP, sends a GET, reads the response until the server
// closes the connection, and shows it.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// maxShownBody is as much of a body as goes into an event: an event must
// fit in one gRPC message.
const maxShownBody = 1 << 20

type client struct{}

func (client) Run(ctx context.Context, cfg *pb.WebClientConfig, out *sdk.WebClientEvents) error {
	summary := &pb.WebClientSummary{}
	for _, filename := range cfg.Paths {
		if ctx.Err() != nil {
			break // the host stopped us
		}
		response := fetch(ctx, cfg, filename)
		summary.Requests++
		switch {
		case response.Error != "":
			fmt.Printf("%s: %s\n", response.Path, response.Error)
			summary.Failed++
		case response.Status >= 400:
			summary.Failed++
		case response.Status >= 200 && response.Status < 300:
			summary.Ok++
		}
		out.Response(response)
	}
	out.Summary(summary)
	return nil
}

// fetch makes one request and describes the response.
func fetch(ctx context.Context, cfg *pb.WebClientConfig, filename string) *pb.WebResponse {
	start := time.Now()
	// The sheet's client takes a file name; a request names a path.
	if !strings.HasPrefix(filename, "/") {
		filename = "/" + filename
	}
	response := &pb.WebResponse{Path: filename}
	err := exchange(ctx, cfg, filename, response)
	if err != nil {
		response.Error = err.Error()
	}
	response.Duration = durationpb.New(time.Since(start))
	return response
}

func exchange(ctx context.Context, cfg *pb.WebClientConfig, filename string, response *pb.WebResponse) error {
	timeout := cfg.Timeout.AsDuration()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var dialer net.Dialer
	clientSocket, err := dialer.DialContext(ctx, "tcp", cfg.Server)
	if err != nil {
		return err
	}
	defer clientSocket.Close()
	deadline, _ := ctx.Deadline()
	clientSocket.SetDeadline(deadline)
	// When the host stops us mid-response, give up at once.
	defer context.AfterFunc(ctx, func() { clientSocket.SetDeadline(time.Now()) })()

	request := cfg.Method + " " + filename + " HTTP/1.1\r\n" +
		"Host: " + cfg.Server + "\r\n" +
		"Connection: close\r\n\r\n"
	if _, err := clientSocket.Write([]byte(request)); err != nil {
		return err
	}
	// Connection: close, so the response ends where the connection does.
	data, err := io.ReadAll(clientSocket)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if ctx.Err() == context.Canceled {
			return errors.New("stopped before the whole response came")
		}
		return fmt.Errorf("no whole response within %v", timeout)
	}
	if err != nil {
		return err
	}

	head, body, found := bytes.Cut(data, []byte("\r\n\r\n"))
	if !found {
		return fmt.Errorf("no end of the header lines in %d bytes", len(data))
	}
	lines := strings.Split(string(head), "\r\n")
	// The status line is the first line, e.g. "HTTP/1.1 200 OK".
	statusLine := lines[0]
	fields := strings.SplitN(statusLine, " ", 3)
	status := 0
	if len(fields) >= 2 {
		status, _ = strconv.Atoi(fields[1])
	}
	if !strings.HasPrefix(fields[0], "HTTP/") || status < 100 || status > 599 {
		return fmt.Errorf("malformed status line %q", statusLine)
	}
	fmt.Println(filename, statusLine)
	response.StatusLine, response.Status = statusLine, uint32(status)
	contentLength := -1
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("malformed header line %q", line)
		}
		value = strings.TrimSpace(value)
		response.Headers = append(response.Headers, &pb.Header{Name: name, Value: value})
		if strings.EqualFold(name, "Content-Length") {
			contentLength, _ = strconv.Atoi(value)
		}
	}

	response.BodySize = uint64(len(body))
	if cfg.ShowBody {
		response.Body = body[:min(len(body), maxShownBody)]
	}
	if cfg.Method != "HEAD" && contentLength >= 0 && contentLength != len(body) {
		return fmt.Errorf("got %d bytes of body, Content-Length says %d", len(body), contentLength)
	}
	return nil
}

func main() {
	sdk.ServeWebClient(client{})
}
