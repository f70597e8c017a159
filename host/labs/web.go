package labs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"google.golang.org/protobuf/proto"

	judgeweb "github.com/socklab/socklab/host/check/judge/web"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/page/figure"
	"github.com/socklab/socklab/host/plain"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/host/text"
	refweb "github.com/socklab/socklab/plugins/reference/web"
	"github.com/socklab/socklab/plugins/sdk"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// WebServer is the web server lab's server: it serves files over HTTP/1.x.
func WebServer() Role {
	r := roles.WebServer()
	r.Describe = describeWebServer
	return Role{
		Role:      r,
		Reference: func(p *sdk.Plugins) { p.WebServer = sdk.WebServerFunc(refweb.Serve) },
		Grader:    judgeweb.Server,
	}
}

// WebClient is the web server lab's client: it fetches paths over HTTP.
func WebClient() Role {
	r := roles.WebClient()
	r.Describe = describeWebClient
	r.Plain.Reader = plain.WebClient
	return Role{
		Role:      r,
		Reference: func(p *sdk.Plugins) { p.WebClient = sdk.WebClientFunc(refweb.Fetch) },
		Grader:    judgeweb.Client,
		Figure:    func(c *lab.Component) figure.Figure { return webFigure{client: c.Name} },
	}
}

// webFigure gives a web client's responses to its page's waterfall, which
// pairs them with the link's connections.
type webFigure struct{ client string }

func (f webFigure) Add(b *figure.Builder, ev run.Event) {
	if body, ok := ev.Body.(*pb.WebResponse); ok {
		end := b.Ms(ev.Time)
		b.AddWeb(figure.WebRow{Client: f.client, Path: body.Path, Start: end - figure.Millis(body.Duration.AsDuration()), End: end,
			Status: body.Status, StatusLine: body.StatusLine, Bytes: body.BodySize, Error: body.Error})
	}
}

func describeWebServer(body proto.Message) string {
	switch b := body.(type) {
	case *pb.WebRequest:
		return webRequest(b)
	case *pb.WebServerSummary:
		return webServerSummary(b)
	}
	return ""
}

func describeWebClient(body proto.Message) string {
	switch b := body.(type) {
	case *pb.WebResponse:
		return webResponse(b)
	case *pb.WebClientSummary:
		return fmt.Sprintf("%s: %d ok, %d failed", plural(uint64(b.Requests), "request"), b.Ok, b.Failed)
	}
	return ""
}

// webRequest is the request line and what became of it:
// "GET /HelloWorld.html HTTP/1.1 -> 200 (325 bytes, 0.3 ms) from 127.0.0.1:5555".
func webRequest(b *pb.WebRequest) string {
	var line []string
	for _, part := range []string{b.Method, b.Target, b.Proto} {
		if part != "" {
			line = append(line, printable(part))
		}
	}
	if len(line) == 0 {
		line = append(line, "request") // its request line never came whole
	}
	answer := "no response"
	if b.Status != 0 {
		answer = strconv.FormatUint(uint64(b.Status), 10)
	}
	s := fmt.Sprintf("%s -> %s (%d bytes, %s ms) from %s", strings.Join(line, " "), answer, b.Bytes, shortMillis(b.Duration), b.Peer)
	if b.Reason != "" {
		s += ": " + printable(b.Reason)
	}
	return s
}

// webServerSummary: "3 requests on 2 connections (200: 2, 404: 1), 650 body
// bytes sent"; status 0 is a request cut off before any answer.
func webServerSummary(b *pb.WebServerSummary) string {
	codes := make([]uint32, 0, len(b.ByStatus))
	for code := range b.ByStatus {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	var counts []string
	for _, code := range codes {
		name := strconv.FormatUint(uint64(code), 10)
		if code == 0 {
			name = "no response"
		}
		counts = append(counts, fmt.Sprintf("%s: %d", name, b.ByStatus[code]))
	}
	s := plural(b.Requests, "request") + " on " + plural(b.Connections, "connection")
	if len(counts) > 0 {
		s += " (" + strings.Join(counts, ", ") + ")"
	}
	return s + fmt.Sprintf(", %d body bytes sent", b.Bytes)
}

// webResponse is what the sheet's client displays, on one line: status
// line, path, body size, the headers, the start of the body if kept, and
// what went wrong.
func webResponse(b *pb.WebResponse) string {
	if b.StatusLine == "" {
		return fmt.Sprintf("%s: %s", printable(b.Path), printable(b.Error))
	}
	s := fmt.Sprintf("%s  %s  %d bytes", printable(b.StatusLine), printable(b.Path), b.BodySize)
	if len(b.Headers) > 0 {
		headers := make([]string, len(b.Headers))
		for i, h := range b.Headers {
			headers[i] = printable(h.Name + ": " + h.Value)
		}
		s += "  [" + strings.Join(headers, " | ") + "]"
	}
	if len(b.Body) > 0 {
		s += "  " + text.Quote(b.Body)
	}
	if b.Error != "" {
		s += "  error: " + printable(b.Error)
	}
	return s
}
