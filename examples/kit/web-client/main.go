// Command web-client is the skeleton of the HTTP client of the lab sheet's
// optional exercise 2 ("client.py server_host server_port filename") as a
// socklab plugin. Complete the code at the places marked "Fill in start"
// and "Fill in end". It compiles as handed out, but does not work yet.
//
// For each path of cfg.Paths the client connects to cfg.Server by TCP,
// sends "GET <path> HTTP/1.1" with a Host header and "Connection: close",
// reads the whole response (until the server closes the connection; a big
// file comes in many pieces) and shows it.
package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

type client struct{}

func (client) Run(ctx context.Context, cfg *pb.WebClientConfig, out *sdk.WebClientEvents) error {
	sum := &pb.WebClientSummary{}
	for _, path := range cfg.Paths {
		if ctx.Err() != nil {
			break
		}
		resp := fetch(cfg.Server, path, cfg.Timeout.AsDuration())
		sum.Requests++
		switch {
		case resp.Error == "" && resp.Status/100 == 2:
			sum.Ok++
		default:
			sum.Failed++
		}
		out.Send(&pb.WebClientEvent{Event: &pb.WebClientEvent_Response{Response: resp}})
	}
	out.Send(&pb.WebClientEvent{Event: &pb.WebClientEvent_Summary{Summary: sum}})
	return nil
}

// fetch makes one exchange: GET path from server.
func fetch(server, path string, timeout time.Duration) *pb.WebResponse {
	resp := &pb.WebResponse{Path: path}
	// Connect (net.DialTimeout), send the request, and read everything the
	// server sends until it closes the connection.
	var response []byte
	// Fill in start
	// Fill in end
	if len(response) == 0 {
		resp.Error = "no response"
		return resp
	}
	fmt.Println(string(response))
	parse(response, resp)
	return resp
}

// parse splits a response into its status line, headers and body.
func parse(response []byte, resp *pb.WebResponse) {
	head, body, _ := bytes.Cut(response, []byte("\r\n\r\n"))
	lines := strings.Split(string(head), "\r\n")
	resp.StatusLine = lines[0]
	if f := strings.Fields(lines[0]); len(f) >= 2 {
		n, _ := strconv.Atoi(f[1])
		resp.Status = uint32(n)
	}
	for _, l := range lines[1:] {
		if name, value, ok := strings.Cut(l, ":"); ok {
			resp.Headers = append(resp.Headers, &pb.Header{Name: name, Value: strings.TrimSpace(value)})
		}
	}
	resp.Body, resp.BodySize = body, uint64(len(body))
}

func main() {
	sdk.ServeWebClient(client{})
}
