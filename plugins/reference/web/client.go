package web

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil" // only for its chunked-body reader
	"os"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"github.com/socklab/socklab/proto/utf8text"
)

const (
	// maxResponseHead bounds the status line and headers the client reads.
	maxResponseHead = 64 << 10
	// maxShownBody bounds the body put into a Response event, which must
	// fit in one gRPC message; body_size still counts the whole body.
	maxShownBody = 1 << 20
)

// Fetch runs the reference web client, the sheet's
// "client server_host server_port filename": for each path, in order, it
// connects to cfg.Server, sends "GET <path> HTTP/1.1" (or cfg.Method) with
// Host and "Connection: close", reads the whole response and sends it as a
// Response event; a failed exchange is a Response with Error set, and the
// next path is tried. It sends Summary last and returns nil, or returns an
// error, without events, for a bad config. Cancelling ctx stops it after
// the exchange under way.
func Fetch(ctx context.Context, cfg *pb.WebClientConfig, out *sdk.WebClientEvents) error {
	set, err := newClientSettings(cfg)
	if err != nil {
		return err
	}
	sum := &pb.WebClientSummary{}
	for _, path := range set.paths {
		if ctx.Err() != nil {
			break
		}
		resp := set.fetch(ctx, path)
		sum.Requests++
		switch {
		case resp.Error == "" && resp.Status/100 == 2:
			sum.Ok++
		case resp.Error != "" || resp.Status >= 400:
			sum.Failed++
		}
		out.Response(resp)
	}
	out.Summary(sum)
	return nil
}

// fetch makes one exchange and describes it.
func (set *clientSettings) fetch(ctx context.Context, path string) *pb.WebResponse {
	resp := &pb.WebResponse{Path: path}
	start := time.Now()
	err := set.exchange(ctx, path, resp)
	resp.Duration = durationpb.New(time.Since(start))
	if err != nil {
		resp.Error = utf8text.String(err.Error())
	}
	return resp
}

func (set *clientSettings) exchange(ctx context.Context, path string, resp *pb.WebResponse) error {
	ctx, cancel := context.WithTimeout(ctx, set.timeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", set.server)
	if err != nil {
		return err
	}
	defer nc.Close()
	// The deadline ends a silent server; AfterFunc ends the exchange when
	// the caller gives up.
	deadline, _ := ctx.Deadline()
	nc.SetDeadline(deadline)
	defer context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })()

	req := set.method + " " + path + " HTTP/1.1\r\nHost: " + set.server +
		"\r\nUser-Agent: socklab-web-client\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	if _, err = io.WriteString(nc, req); err == nil {
		err = readResponse(bufio.NewReader(nc), set.method == "HEAD", set.showBody, resp)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() == context.Canceled:
		return fmt.Errorf("cancelled: %w", err)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("no whole response within %v: %w", set.timeout, err)
	}
	return err
}

// readResponse reads a response into resp: status line, headers in order,
// and the body, delimited as RFC 9112 section 6.3 says.
func readResponse(br *bufio.Reader, head, keepBody bool, resp *pb.WebResponse) error {
	budget := maxResponseHead
	for {
		line, err := readLine(br, &budget)
		if err != nil {
			return fmt.Errorf("read status line: %w", err)
		}
		status, ok := parseStatusLine(line)
		if !ok {
			return fmt.Errorf("malformed status line %q", line)
		}
		resp.StatusLine, resp.Status, resp.Headers = utf8text.String(line), uint32(status), nil
		if err := readHeaders(br, &budget, resp); err != nil {
			return err
		}
		// Skip interim responses such as 100 Continue.
		if status >= 200 || status == 101 {
			break
		}
	}

	body, err := bodyReader(br, head, resp)
	if err != nil || body == nil {
		return err
	}
	sink := bodySink{keep: keepBody}
	_, err = io.Copy(&sink, body)
	resp.BodySize = uint64(sink.n)
	resp.Body = sink.kept
	if lr, ok := body.(*io.LimitedReader); ok && err == nil && lr.N > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return fmt.Errorf("read body after %d bytes: %w", sink.n, err)
	}
	return nil
}

// bodyReader returns what reads the body, or nil if there is none.
func bodyReader(br *bufio.Reader, head bool, resp *pb.WebResponse) (io.Reader, error) {
	if s := resp.Status; head || s < 200 || s == 204 || s == 304 {
		return nil, nil
	}
	length := int64(-1)
	for _, h := range resp.Headers {
		switch {
		case strings.EqualFold(h.Name, "Transfer-Encoding"):
			codings := strings.Split(h.Value, ",")
			if strings.EqualFold(strings.TrimSpace(codings[len(codings)-1]), "chunked") {
				return httputil.NewChunkedReader(br), nil
			}
			return br, nil // read until close
		case strings.EqualFold(h.Name, "Content-Length"):
			n, ok := parseLength([]byte(h.Value))
			if !ok || length >= 0 && n != length {
				return nil, fmt.Errorf("invalid Content-Length %q", h.Value)
			}
			length = n
		}
	}
	if length < 0 {
		return br, nil // read until close
	}
	return &io.LimitedReader{R: br, N: length}, nil
}

// parseStatusLine parses "HTTP/1.x SP 3DIGIT [SP reason]".
func parseStatusLine(line string) (int, bool) {
	version, rest, _ := strings.Cut(line, " ")
	code, _, _ := strings.Cut(rest, " ")
	if len(version) != 8 || !strings.HasPrefix(version, "HTTP/") || version[6] != '.' ||
		!isDigit(version[5]) || !isDigit(version[7]) || len(code) != 3 {
		return 0, false
	}
	n, err := strconv.Atoi(code)
	return n, err == nil && n >= 100 && n <= 599
}

// readHeaders reads header lines up to the empty line, in order.
func readHeaders(br *bufio.Reader, budget *int, resp *pb.WebResponse) error {
	for {
		line, err := readLine(br, budget)
		if err != nil {
			return fmt.Errorf("read headers: %w", err)
		}
		if line == "" {
			return nil
		}
		name, value, err := splitHeader([]byte(line))
		if err != nil {
			return fmt.Errorf("malformed header line %q", line)
		}
		resp.Headers = append(resp.Headers, &pb.Header{Name: utf8text.FromBytes(name), Value: utf8text.FromBytes(value)})
	}
}

// readLine reads one line, without its CRLF or LF, spending its length
// from budget.
func readLine(br *bufio.Reader, budget *int) (string, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if *budget -= len(frag); *budget < 0 {
			return "", fmt.Errorf("response head larger than %d bytes", maxResponseHead)
		}
		line = append(line, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return "", err
		}
		line, _ = bytes.CutSuffix(line[:len(line)-1], []byte{'\r'})
		return string(line), nil
	}
}

// bodySink counts a body and keeps its start when asked.
type bodySink struct {
	n    int64
	keep bool
	kept []byte
}

func (s *bodySink) Write(p []byte) (int, error) {
	s.n += int64(len(p))
	if s.keep {
		s.kept = append(s.kept, p[:min(len(p), maxShownBody-len(s.kept))]...)
	}
	return len(p), nil
}
