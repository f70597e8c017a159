package web

import "bytes"

// The refusals a request target can earn.
var (
	errEncoding     = &statusError{400, "malformed percent-encoding"}
	errEncodedSlash = &statusError{400, "encoded slash in path"}
	errControl      = &statusError{400, "control character in path"}
	errDotDot       = &statusError{400, `".." in path`}
)

// resolved is a request target mapped onto the document root.
type resolved struct {
	name  []byte // slash-separated, relative to the root: "a/b.html", or "."
	path  []byte // the target's path as sent, for a redirect
	query []byte // the query with its '?', or empty
	dir   bool   // the path ends in a slash
}

// resolveTarget maps the target of a GET or HEAD request onto a file name
// under the document root, appending the name's bytes to buf (so that a
// connection can reuse one buffer). It accepts the origin form ("/a/b?q")
// and the absolute form ("http://host/a/b?q").
//
// It decodes percent-encoding exactly once and refuses what could reach
// outside the root or mean two things: ".." segments (encoded or not),
// encoded slashes, NUL and other control characters. The file system
// check against symlinks that leave the root is os.Root's.
func resolveTarget(target, buf []byte) (resolved, error) {
	var res resolved
	if hasPrefixFold(target, "http://") || hasPrefixFold(target, "https://") {
		rest := target[bytes.Index(target, []byte("//"))+2:]
		if i := bytes.IndexByte(rest, '/'); i >= 0 {
			target = rest[i:]
		} else {
			target = []byte("/")
		}
	}
	if len(target) == 0 || target[0] != '/' || bytes.IndexByte(target, '#') >= 0 {
		return res, errTarget
	}
	res.path = target
	if i := bytes.IndexByte(target, '?'); i >= 0 {
		res.path, res.query = target[:i], target[i:]
	}
	res.dir = res.path[len(res.path)-1] == '/'

	name := buf[:0]
	for seg := range bytes.SplitSeq(res.path[1:], []byte("/")) {
		start := len(name)
		var err error
		if name, err = unescape(name, seg); err != nil {
			return res, err
		}
		switch string(name[start:]) {
		case "", ".":
			name = name[:start]
			continue
		case "..":
			return res, errDotDot
		}
		name = append(name, '/')
	}
	if len(name) == 0 {
		name = append(name, '.')
	} else {
		name = name[:len(name)-1]
	}
	res.name = name
	return res, nil
}

// unescape appends the percent-decoded seg to dst.
func unescape(dst, seg []byte) ([]byte, error) {
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' {
			if i+2 >= len(seg) || !isHex(seg[i+1]) || !isHex(seg[i+2]) {
				return dst, errEncoding
			}
			c = unhex(seg[i+1])<<4 | unhex(seg[i+2])
			i += 2
			if c == '/' {
				return dst, errEncodedSlash
			}
		}
		if c < ' ' || c == 0x7f {
			return dst, errControl
		}
		dst = append(dst, c)
	}
	return dst, nil
}

func isHex(c byte) bool {
	return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix.
func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && equalFold(b[:len(prefix)], prefix)
}
