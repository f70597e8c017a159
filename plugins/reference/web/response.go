package web

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http" // only for status texts and content sniffing, not its server
	"path"
	"strconv"
	"strings"
	"time"
)

const (
	// timeFormat is the HTTP date format (RFC 9110 section 5.6.7).
	timeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"
	// smallFile is the largest body sent from memory together with the
	// head in one write; a larger one goes out with sendfile.
	smallFile = 16 << 10
	// outBuffer holds a response head and a small body.
	outBuffer = smallFile + 1<<10
)

// serveFile answers a GET or HEAD for res: the file, index.html for a
// directory, a redirect for a directory named without its final slash.
func (c *conn) serveFile(ex *exchange, res resolved) {
	f := &c.file
	err := c.s.root.open(res.name, f)
	if err == nil && f.isDir() {
		f.close()
		if !res.dir {
			loc := append(append(append([]byte(nil), res.path...), '/'), res.query...)
			c.send(ex, 301, "directory named without a final slash", "Location", loc)
			return
		}
		if string(c.name) == "." {
			c.name = c.name[:0]
		} else {
			c.name = append(c.name, '/')
		}
		c.name = append(c.name, "index.html"...)
		err = c.s.root.open(c.name, f)
	} else if err == nil && res.dir {
		f.close()
		err = fmt.Errorf("%s is not a directory", res.name)
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		c.sendError(ex, 403, err.Error())
		return
	case err != nil:
		c.sendError(ex, 404, err.Error())
		return
	}
	defer f.close()
	if !f.isRegular() {
		c.sendError(ex, 404, "not a regular file")
		return
	}

	size := f.size()
	out := c.s.getOut()
	defer c.s.outPool.Put(out)
	b := c.appendHead((*out)[:0], 200, ex.keep)
	b = append(b, "Content-Type: "...)
	b = append(b, c.contentType()...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, size, 10)
	b = append(b, "\r\nLast-Modified: "...)
	b = f.modTime().UTC().AppendFormat(b, timeFormat)
	b = append(b, "\r\n\r\n"...)
	ex.status = 200
	switch {
	case string(c.req.method) == "HEAD":
		c.write(ex, b)
	case size <= smallFile && int(size) <= cap(b)-len(b):
		// One write for head and body.
		n := len(b)
		b = b[:n+int(size)]
		if _, err := f.readAt(b[n:], 0); err != nil {
			c.sendError(ex, 500, fmt.Sprintf("read %s: %v", c.name, err))
			return
		}
		if c.write(ex, b) {
			ex.bytes = size
		}
	default:
		c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
		n, err := f.send(c.nc, b, size)
		ex.bytes = n
		if err != nil {
			ex.keep = false // the client counts on size bytes
			ex.reason = fmt.Sprintf("sent %d of %d bytes: %v", n, size, err)
		}
	}
}

// contentType is the type of the file named c.name by its extension, else
// by sniffing its first bytes.
func (c *conn) contentType() string {
	if t := typeByExtension(path.Ext(string(c.name))); t != "" {
		return t
	}
	n, _ := c.file.readAt(c.sniff[:], 0)
	return http.DetectContentType(c.sniff[:n])
}

// typeByExtension is the type of the web's common files by their
// extension, "" for others. Not mime.TypeByExtension: its first call
// reads the machine's MIME databases (3.7 ms here, in the first
// response), and what they say differs from machine to machine, where a
// reference server should answer the same everywhere.
func typeByExtension(ext string) string {
	switch strings.ToLower(ext) {
	case ".html", ".htm":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".xml":
		return "text/xml; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".avif":
		return "image/avif"
	case ".ico":
		return "image/vnd.microsoft.icon"
	case ".pdf":
		return "application/pdf"
	case ".wasm":
		return "application/wasm"
	case ".bin":
		return "application/octet-stream"
	}
	return ""
}

// sendError answers with status and a small HTML page saying it.
func (c *conn) sendError(ex *exchange, status int, reason string) {
	var allow []byte
	if status == 405 {
		allow = []byte("GET, HEAD")
	}
	c.send(ex, status, reason, "Allow", allow)
}

// send answers with status, one extra header if value is not empty, and a
// small HTML page.
func (c *conn) send(ex *exchange, status int, reason, name string, value []byte) {
	ex.status, ex.reason = status, reason
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	page := "<!DOCTYPE html>\n<html><head><title>" + text + "</title></head>\n<body><h1>" + text + "</h1></body></html>\n"
	out := c.s.getOut()
	defer c.s.outPool.Put(out)
	b := c.appendHead((*out)[:0], status, ex.keep)
	if len(value) > 0 {
		b = append(b, name...)
		b = append(b, ": "...)
		b = append(b, value...)
		b = append(b, "\r\n"...)
	}
	b = append(b, "Content-Type: text/html; charset=utf-8\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(page)), 10)
	b = append(b, "\r\n\r\n"...)
	if string(c.req.method) != "HEAD" {
		b = append(b, page...)
	}
	if c.write(ex, b) && string(c.req.method) != "HEAD" {
		ex.bytes = int64(len(page))
	}
}

// appendHead appends the status line and the headers every response has.
func (c *conn) appendHead(b []byte, status int, keep bool) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	b = append(b, "\r\nServer: socklab\r\nDate: "...)
	b = append(b, c.now()...)
	b = append(b, "\r\n"...)
	switch {
	case !keep:
		b = append(b, "Connection: close\r\n"...)
	case c.req.minor == 0:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return b
}

// now is the current time as an HTTP date, formatted once a second.
func (c *conn) now() []byte {
	t := time.Now()
	if sec := t.Unix(); sec != c.sec {
		t.UTC().AppendFormat(c.date[:0], timeFormat)
		c.sec = sec
	}
	return c.date[:]
}

// write sends b, within writeTimeout. On failure it notes why and that the
// connection cannot go on.
func (c *conn) write(ex *exchange, b []byte) bool {
	c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := c.nc.Write(b); err != nil {
		ex.keep = false
		ex.reason = "write: " + err.Error()
		return false
	}
	return true
}

func (s *server) getOut() *[]byte {
	if b, ok := s.outPool.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, outBuffer)
	return &b
}
