package web

import (
	"bytes"
	"strings"
)

// request is one parsed request head. Its byte slices point into the
// connection's read buffer: they are valid until the next request is read.
type request struct {
	method, target, proto []byte
	minor                 int // HTTP/1.minor: 0 or 1
	hosts                 int // Host header lines seen
	close                 bool
	keepAlive             bool // "Connection: keep-alive", which matters for HTTP/1.0
	body                  bool // a body was announced; the server never reads one
	contentLength         int64
}

// wantsKeepAlive reports whether the client asked to keep the connection
// open: the default on HTTP/1.1, an explicit keep-alive on HTTP/1.0.
func (r *request) wantsKeepAlive() bool {
	return !r.close && (r.minor == 1 || r.keepAlive)
}

// statusError is a request the server refuses with status, giving reason.
type statusError struct {
	status int
	reason string
}

func (e *statusError) Error() string { return e.reason }

// The refusals a request head can earn. They are values, never changed.
var (
	errRequestLine  = &statusError{400, "malformed request line"}
	errTarget       = &statusError{400, "malformed request target"}
	errHeaderLine   = &statusError{400, "malformed header line"}
	errObsFold      = &statusError{400, "folded header line"}
	errNoHost       = &statusError{400, "HTTP/1.1 request without Host"}
	errManyHosts    = &statusError{400, "more than one Host header"}
	errLength       = &statusError{400, "invalid Content-Length"}
	errLengthAndTE  = &statusError{400, "both Content-Length and Transfer-Encoding"}
	errVersion      = &statusError{505, "unsupported HTTP version"}
	errLineTooLong  = &statusError{414, "request line longer than max_header_bytes"}
	errHeadTooLarge = &statusError{431, "request head larger than max_header_bytes"}
)

// trimBlankLines drops the empty lines a client may send before a request
// line (RFC 9112 section 2.2).
func trimBlankLines(b []byte) []byte {
	for len(b) > 0 && (b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	return b
}

// headEnd returns the length of the request head at the start of b, up to and
// including the empty line that ends it, or -1 if b holds no empty line yet.
// Lines end in CRLF or a bare LF. Bytes before from are known to hold no end.
// b must not start with an empty line (see trimBlankLines).
func headEnd(b []byte, from int) int {
	for i := from; i < len(b); i++ {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return -1
		}
		i += j
		if i >= 1 && b[i-1] == '\n' || i >= 2 && b[i-1] == '\r' && b[i-2] == '\n' {
			return i + 1
		}
	}
	return -1
}

// parseRequest parses a request head (as delimited by headEnd) into r. It is
// strict where leniency invites request smuggling (RFC 9112): one space
// between the request line's parts, no space before a header's colon, no
// folded lines, no control characters, one consistent Content-Length. An
// HTTP/1.1 request without Host is refused unless allowNoHost.
func parseRequest(head []byte, r *request, allowNoHost bool) error {
	*r = request{contentLength: -1}
	line, rest := nextLine(trimBlankLines(head))
	if err := parseRequestLine(line, r); err != nil {
		return err
	}
	te := false
	for {
		line, rest = nextLine(rest)
		if len(line) == 0 {
			break
		}
		name, value, err := splitHeader(line)
		if err != nil {
			return err
		}
		switch {
		case equalFold(name, "host"):
			r.hosts++
		case equalFold(name, "connection"):
			r.parseConnection(value)
		case equalFold(name, "content-length"):
			n, ok := parseLength(value)
			if !ok || r.contentLength >= 0 && n != r.contentLength {
				return errLength
			}
			r.contentLength = n
		case equalFold(name, "transfer-encoding"):
			te = true
		}
	}
	switch {
	case r.minor == 1 && r.hosts == 0 && !allowNoHost:
		return errNoHost
	case r.hosts > 1:
		return errManyHosts
	case te && r.contentLength >= 0:
		return errLengthAndTE
	}
	r.body = te || r.contentLength > 0
	return nil
}

// nextLine splits off the first line of b, without its CRLF or LF.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		line, rest = b, nil
	} else {
		line, rest = b[:i], b[i+1:]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// parseRequestLine parses "METHOD SP request-target SP HTTP/1.x". It fills
// in r only for a line that parses (even if its version is refused).
func parseRequestLine(line []byte, r *request) error {
	method, rest, ok1 := bytes.Cut(line, []byte{' '})
	target, proto, ok2 := bytes.Cut(rest, []byte{' '})
	if !ok1 || !ok2 || !isToken(method) || len(target) == 0 {
		return errRequestLine
	}
	for _, c := range target {
		if c <= ' ' || c == 0x7f {
			return errTarget
		}
	}
	p := proto
	if len(p) != 8 || string(p[:5]) != "HTTP/" || !isDigit(p[5]) || p[6] != '.' || !isDigit(p[7]) {
		return errRequestLine
	}
	r.method, r.target, r.proto = method, target, proto
	if p[5] != '1' {
		return errVersion
	}
	// A later 1.x minor version is understood as 1.1 (RFC 9110 section 2.5).
	r.minor = min(int(p[7]-'0'), 1)
	return nil
}

// splitHeader splits "name: value", trimming the value's spaces and tabs.
func splitHeader(line []byte) (name, value []byte, err error) {
	if line[0] == ' ' || line[0] == '\t' {
		return nil, nil, errObsFold
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || !isToken(line[:colon]) {
		return nil, nil, errHeaderLine
	}
	value = bytes.Trim(line[colon+1:], " \t")
	for _, c := range value {
		if c < ' ' && c != '\t' || c == 0x7f {
			return nil, nil, errHeaderLine
		}
	}
	return line[:colon], value, nil
}

// parseConnection notes the close and keep-alive options of a Connection
// header, a comma-separated list.
func (r *request) parseConnection(value []byte) {
	for len(value) > 0 {
		var opt []byte
		opt, value, _ = bytes.Cut(value, []byte{','})
		opt = bytes.Trim(opt, " \t")
		switch {
		case equalFold(opt, "close"):
			r.close = true
		case equalFold(opt, "keep-alive"):
			r.keepAlive = true
		}
	}
}

// parseLength parses a Content-Length value: decimal digits only.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isToken reports whether b is a non-empty RFC 9110 token.
func isToken(b []byte) bool {
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return len(b) > 0
}

// equalFold reports whether b equals the lower-case ASCII string s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
