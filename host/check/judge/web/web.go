package web

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// The web checks judge a server by what the reference client received
// and by the answers to raw probes, against the files the suite put in the
// document root; and a client by the requests the reference server saw
// and by the responses the client showed.

// docFile returns the suite file a request path names under root.
func docFile(o *judge.Observed, root, target string) ([]byte, bool) {
	rel, err := filepath.Rel(o.Dir, root)
	if err != nil {
		return nil, false
	}
	p, err := url.PathUnescape(target)
	if err != nil {
		return nil, false
	}
	data, ok := o.Files[filepath.Join(rel, path.Clean("/"+p))]
	return data, ok
}

// traversal reports whether a request path tries to leave the root.
func traversal(target string) bool {
	p, err := url.PathUnescape(target)
	if err != nil {
		p = target
	}
	return strings.Contains(p, "..")
}

// secrets are the suite's files outside root, which no response may carry.
func secrets(o *judge.Observed, root string) map[string][]byte {
	rel, _ := filepath.Rel(o.Dir, root)
	out := map[string][]byte{}
	for name, data := range o.Files {
		if r, err := filepath.Rel(rel, name); err != nil || strings.HasPrefix(r, "..") {
			out[name] = data
		}
	}
	return out
}

func serverRoot(o *judge.Observed) string { return o.Under.Config.(*pb.WebServerConfig).Root }

// responses are what the reference clients received, in order.
func responses(o *judge.Observed) []*pb.WebResponse {
	var out []*pb.WebResponse
	for _, c := range o.Peers(roles.WebClient().Name) {
		out = append(out, judge.Bodies[*pb.WebResponse](o, c, "response")...)
	}
	return out
}

func header(r *pb.WebResponse, name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value, true
		}
	}
	return "", false
}

// got describes a response in a few words.
func got(r *pb.WebResponse) string {
	if r.Error != "" {
		return "no whole response (" + r.Error + ")"
	}
	return strconv.Quote(r.StatusLine)
}

// contentTypes are the media types expected by file extension.
var contentTypes = map[string][]string{
	".html": {"text/html"}, ".htm": {"text/html"}, ".txt": {"text/plain"}, ".css": {"text/css"},
	".js": {"text/javascript", "application/javascript"}, ".json": {"application/json"},
	".png": {"image/png"}, ".jpg": {"image/jpeg"}, ".jpeg": {"image/jpeg"}, ".gif": {"image/gif"},
}

// probeStatus reads the status code of a probe's answer; 0 if none.
func probeStatus(p judge.ProbeResult) (int, string) {
	if len(p.Reply) == 0 {
		return 0, ""
	}
	line, _, _ := bytes.Cut(p.Reply, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(p.Reply)), nil)
	if err != nil {
		return 0, string(line)
	}
	resp.Body.Close()
	return resp.StatusCode, string(line)
}

// judgeServed judges the responses to the files of the document root:
// 200 and the file's content; exact, byte for byte, else with trailing
// blank space allowed (the sheet's skeleton, filled in, sends "\r\n"
// after the file).
func judgeServed(o *judge.Observed, exact bool) ([]string, error) {
	var e judge.Evidence
	n := 0
	answered := map[string]bool{}
	for _, r := range responses(o) {
		answered[r.Path] = true
	}
	for _, c := range o.Peers(roles.WebClient().Name) {
		for _, p := range c.Config.(*pb.WebClientConfig).GetPaths() {
			if _, ok := docFile(o, serverRoot(o), p); ok && !traversal(p) && !answered[p] {
				n++
				e.Add("GET %s: no response: the run ended before it came", p)
			}
		}
	}
	for _, r := range responses(o) {
		want, ok := docFile(o, serverRoot(o), r.Path)
		if !ok || traversal(r.Path) {
			continue
		}
		n++
		switch {
		case r.Error != "" || r.Status != 200:
			e.Add("GET %s: got %s, want 200 OK", r.Path, got(r))
		case exact && r.BodySize != uint64(len(want)):
			e.Add("GET %s: 200 with %d bytes, but the file has %d%s", r.Path, r.BodySize, len(want), trailing(r.Body, want))
		case exact && len(r.Body) == len(want) && !bytes.Equal(r.Body, want):
			e.Add("GET %s: 200 with %d bytes, but not the file's (first difference at byte %d)", r.Path, len(r.Body), firstDiff(r.Body, want))
		case !exact:
			body, file := bytes.TrimRight(r.Body, " \t\r\n"), bytes.TrimRight(want, " \t\r\n")
			switch {
			case uint64(len(r.Body)) != r.BodySize: // kept in part: judge the size
				if r.BodySize < uint64(len(file)) {
					e.Add("GET %s: 200 with %d bytes, but the file has %d", r.Path, r.BodySize, len(want))
				}
			case len(body) < len(file) && bytes.HasPrefix(file, body):
				e.Add("GET %s: 200 with %d bytes, but the file has %d", r.Path, r.BodySize, len(want))
			case !bytes.Equal(body, file):
				e.Add("GET %s: 200 with %d bytes, but not the file's %d (first difference at byte %d)", r.Path, len(r.Body), len(want), firstDiff(body, file))
			}
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("the reference client asked for no file of the document root")
	}
	return e.Result(), nil
}

// trailing says what a body has after the file, when that is all that
// differs.
func trailing(body, file []byte) string {
	if rest, ok := bytes.CutPrefix(body, file); ok && len(rest) > 0 && len(rest) <= 16 {
		return ": after it comes " + strconv.Quote(string(rest))
	}
	return ""
}

func serverChecks() []*judge.Check {
	role := roles.WebServer().Name
	return []*judge.Check{
		{Role: role, Name: "ok", Doc: "a file of the document root comes back as 200 with its content (trailing blank space aside, in as many writes as the server likes)",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				return judgeServed(o, false)
			}},
		{Role: role, Name: "exact", Doc: "a file of the document root comes back with exactly its bytes, nothing after them",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				return judgeServed(o, true)
			}},
		{Role: role, Name: "headers", Doc: "a 200 carries Content-Length (the file's size) and Content-Type (by the file's extension)",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				n := 0
				for _, r := range responses(o) {
					want, ok := docFile(o, serverRoot(o), r.Path)
					if !ok || r.Status != 200 || traversal(r.Path) {
						continue
					}
					n++
					if v, ok := header(r, "Content-Length"); !ok {
						e.Add("GET %s: no Content-Length header", r.Path)
					} else if v != strconv.Itoa(len(want)) {
						e.Add("GET %s: Content-Length: %s, but the file has %d bytes", r.Path, v, len(want))
					}
					v, ok := header(r, "Content-Type")
					types := contentTypes[strings.ToLower(path.Ext(r.Path))]
					mediaType, _, _ := strings.Cut(v, ";")
					switch {
					case !ok:
						e.Add("GET %s: no Content-Type header", r.Path)
					case len(types) > 0 && !containsFold(types, strings.TrimSpace(mediaType)):
						e.Add("GET %s: Content-Type: %s, want %s", r.Path, v, strings.Join(types, " or "))
					}
				}
				if n == 0 {
					return []string{judge.NothingToJudge("no file of the document root came back as 200, so there are no headers to look at")}, nil
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "not_found", Doc: "a path that names no file gets 404 Not Found",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				n := 0
				for _, r := range responses(o) {
					if _, ok := docFile(o, serverRoot(o), r.Path); ok || traversal(r.Path) {
						continue
					}
					n++
					if r.Error != "" || r.Status != 404 {
						e.Add("GET %s (no such file): got %s, want 404 Not Found", r.Path, got(r))
					}
				}
				if n == 0 {
					return nil, fmt.Errorf("the reference client asked for no missing file")
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "malformed", Doc: "a request that is not HTTP gets 400 Bad Request, and the server goes on serving",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				n := 0
				for _, p := range o.Probes {
					if p.Held {
						continue
					}
					n++
					status, line := probeStatus(p)
					switch {
					case status == 400:
					case status != 0:
						e.Add("request %s: the server answered %q, want 400 Bad Request", judge.Quote(p.Sent), line)
					case line != "":
						e.Add("request %s: the server answered %s, which is not an HTTP response; want 400 Bad Request", judge.Quote(p.Sent), judge.Quote([]byte(line)))
					case p.Err != "":
						e.Add("request %s: %s; want 400 Bad Request", judge.Quote(p.Sent), p.Err)
					default:
						e.Add("request %s: the server closed the connection without an answer; want 400 Bad Request", judge.Quote(p.Sent))
					}
				}
				if n == 0 {
					return nil, fmt.Errorf("the scenario sends no malformed request: give it a probe")
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "traversal", Doc: "no path leads out of the document root: no 2xx, and never the content of a file outside it",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				hidden := secrets(o, serverRoot(o))
				leaks := func(body []byte) string {
					for name, data := range hidden {
						if len(data) > 0 && bytes.Contains(body, data) {
							return name
						}
					}
					return ""
				}
				n := 0
				for _, r := range responses(o) {
					if !traversal(r.Path) {
						continue
					}
					n++
					switch name := leaks(r.Body); {
					case name != "":
						e.Add("GET %s: %s with the content of %s, a file outside the document root", r.Path, got(r), name)
					case r.Status == 0:
						e.Add("GET %s: %s; a path out of the document root must be refused with an answer (400, 403 or 404)", r.Path, got(r))
					case r.Status/100 == 2:
						e.Add("GET %s: %s; a path out of the document root must be refused (400, 403 or 404)", r.Path, got(r))
					}
				}
				for _, p := range o.Probes {
					if name := leaks(p.Reply); name != "" {
						n++
						e.Add("request %s: the answer carries the content of %s, a file outside the document root", judge.Quote(p.Sent), name)
					}
				}
				if n == 0 {
					return nil, fmt.Errorf("the reference client asked for no path with \"..\"")
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "concurrent", Doc: "while a connection sits idle, other clients are still served: one slow client does not block the rest",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				held := 0
				for _, p := range o.Probes {
					if p.Held {
						held++
					}
				}
				if held == 0 {
					return nil, fmt.Errorf("the scenario holds no idle connection: give it a probe with hold = true")
				}
				rs := responses(o)
				if len(rs) == 0 {
					return []string{judge.NothingToJudge("the reference client got no response at all")}, nil
				}
				for _, r := range rs {
					if r.Error != "" {
						e.Add("GET %s: %s while %d other connection(s) sat idle: the server serves one connection at a time", r.Path, got(r), held)
					}
				}
				return e.Result(), nil
			}},
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// normalizeText makes printed text comparable with a file: CRLF as LF,
// no trailing blank space.
func normalizeText(b []byte) []byte {
	return bytes.TrimRight(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), " \t\r\n")
}

func clientChecks() []*judge.Check {
	role := roles.WebClient().Name
	paths := func(o *judge.Observed) []string {
		var out []string
		for _, p := range o.Under.Config.(*pb.WebClientConfig).Paths {
			if !strings.HasPrefix(p, "/") {
				p = "/" + p
			}
			out = append(out, p)
		}
		return out
	}
	// requests are what the server received, by target; all of them in
	// the order they came.
	requests := func(o *judge.Observed) (map[string]*pb.WebRequest, []*pb.WebRequest) {
		seen := map[string]*pb.WebRequest{}
		var all []*pb.WebRequest
		for _, srv := range o.Peers(roles.WebServer().Name) {
			for _, r := range judge.Bodies[*pb.WebRequest](o, srv, "request") {
				all = append(all, r)
				if _, dup := seen[r.Target]; !dup {
					seen[r.Target] = r
				}
			}
		}
		return seen, all
	}
	// find is the request for path p: its target, or the bare file name a
	// client given "HelloWorld.html" may send as it is (bare: true).
	find := func(seen map[string]*pb.WebRequest, p string) (r *pb.WebRequest, bare, ok bool) {
		if r, ok := seen[p]; ok {
			return r, false, true
		}
		r, ok = seen[strings.TrimPrefix(p, "/")]
		return r, ok, ok
	}
	shown := func(o *judge.Observed) map[string]*pb.WebResponse {
		out := map[string]*pb.WebResponse{}
		for _, r := range judge.Bodies[*pb.WebResponse](o, o.Under, "response") {
			p := r.Path
			if !strings.HasPrefix(p, "/") {
				p = "/" + p
			}
			out[p] = r
		}
		return out
	}
	root := func(o *judge.Observed) string {
		for _, srv := range o.Peers(roles.WebServer().Name) {
			return srv.Config.(*pb.WebServerConfig).Root
		}
		return o.Dir
	}
	return []*judge.Check{
		{Role: role, Name: "request", Doc: "each path is asked for with a well-formed GET the server accepts",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				seen, all := requests(o)
				for _, p := range paths(o) {
					r, bare, ok := find(seen, p)
					switch {
					case !ok && len(seen) == 0:
						e.Add("no request reached the server (asked for %s)", p)
					case !ok:
						e.Add("no request for %s reached the server; it received %s", p, received(all))
					case bare:
						e.Add("the request for %s reached the server as %s, without the target's leading \"/\"; it answered %s", p, requestLine(r), answer(r))
					case r.Method != "GET":
						e.Add("the request for %s used method %q, want GET", p, r.Method)
					case r.Status == 400 || r.Status >= 500:
						e.Add("the server refused the request for %s with %d: %s", p, r.Status, r.Reason)
					}
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "status", Doc: "the client shows the status the server sent (200, 404)",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				seen, _ := requests(o)
				out := shown(o)
				judged := 0
				for _, p := range paths(o) {
					req, _, ok := find(seen, p)
					if !ok || req.Status == 0 {
						continue // the request check says why
					}
					judged++
					r, ok := out[p]
					switch {
					case !ok:
						e.Add("%s: the server answered %d; the client %s no response", p, req.Status, o.Said())
					case r.Status == 0:
						e.Add("%s: the server answered %d; the client %s no status line (%s)", p, req.Status, o.Said(), r.Error)
					case r.Status != req.Status:
						e.Add("%s: the server answered %d; the client %s %d", p, req.Status, o.Said(), r.Status)
					}
				}
				if judged == 0 {
					return []string{judge.NothingToJudge("no request of the client reached the server")}, nil
				}
				return e.Result(), nil
			}},
		{Role: role, Name: "body", Doc: "the client shows the whole file it fetched, byte for byte",
			Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
				var e judge.Evidence
				out := shown(o)
				for _, p := range paths(o) {
					want, ok := docFile(o, root(o), p)
					if !ok {
						continue
					}
					r, ok := out[p]
					switch {
					case !ok:
						e.Add("%s: the client %s no response", p, o.Said())
					case o.Plain && !bytes.Contains(normalizeText(r.Body), normalizeText(want)):
						e.Add("%s: the client printed %d bytes of body, not the file's %d bytes", p, len(r.Body), len(want))
					case !o.Plain && !bytes.Equal(r.Body, want):
						e.Add("%s: the client reported %d bytes of body (%d in all), not the file's %d bytes", p, len(r.Body), r.BodySize, len(want))
					}
				}
				return e.Result(), nil
			}},
	}
}

// requestLine is a request as the server received it, quoted.
func requestLine(r *pb.WebRequest) string {
	if r.Method == "" {
		return "a request line that did not parse"
	}
	return strconv.Quote(strings.TrimSpace(r.Method + " " + r.Target + " " + r.Proto))
}

// answer is what the server answered a request, in words.
func answer(r *pb.WebRequest) string {
	switch {
	case r.Status == 0:
		return fmt.Sprintf("nothing (%s)", cmp.Or(r.Reason, "the request was never whole"))
	case r.Reason != "":
		return fmt.Sprintf("%d (%s)", r.Status, r.Reason)
	}
	return fmt.Sprint(r.Status)
}

// received lists the first few requests the server received and what it
// answered each.
func received(all []*pb.WebRequest) string {
	var parts []string
	for i, r := range all {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(all)-i))
			break
		}
		parts = append(parts, requestLine(r)+", answered "+answer(r))
	}
	return strings.Join(parts, "; ")
}
