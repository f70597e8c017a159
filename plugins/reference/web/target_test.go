package web

import "testing"

func TestResolveTarget(t *testing.T) {
	tests := []struct {
		target string
		name   string // when err is nil
		query  string
		dir    bool
		err    *statusError
	}{
		{target: "/", name: ".", dir: true},
		{target: "/HelloWorld.html", name: "HelloWorld.html"},
		{target: "/a/b/c.txt?x=1&y=/..", name: "a/b/c.txt", query: "?x=1&y=/.."},
		{target: "/sub/", name: "sub", dir: true},
		{target: "/a//b/./c", name: "a/b/c"},
		{target: "/./", name: ".", dir: true},
		{target: "/%48ello%2Ehtml", name: "Hello.html"},
		{target: "/with%20space.txt", name: "with space.txt"},
		{target: "/caf%C3%A9", name: "caf\u00e9"},
		{target: "/%252e%252e/x", name: "%2e%2e/x"},   // decoded once only
		{target: "/..%5c..%5cetc", name: `..\..\etc`}, // a backslash is no separator here
		{target: "/...", name: "..."},
		{target: "/a..b", name: "a..b"},
		{target: "http://example.com/x.html?q", name: "x.html", query: "?q"},
		{target: "HTTPS://example.com", name: ".", dir: true},

		{target: "/..", err: errDotDot},
		{target: "/../etc/passwd", err: errDotDot},
		{target: "/a/../../etc/passwd", err: errDotDot},
		{target: "/a/b/..", err: errDotDot},
		{target: "/%2e%2e/etc/passwd", err: errDotDot},
		{target: "/%2E%2E/", err: errDotDot},
		{target: "/.%2e/x", err: errDotDot},
		{target: "/%2e./x", err: errDotDot},
		{target: "http://h/../x", err: errDotDot},
		{target: "/..%2fetc%2fpasswd", err: errEncodedSlash},
		{target: "/%2F", err: errEncodedSlash},
		{target: "/a%2fb", err: errEncodedSlash},
		{target: "/a%00b", err: errControl},
		{target: "/a%0d%0aSet-Cookie:x", err: errControl},
		{target: "/%7f", err: errControl},
		{target: "/%", err: errEncoding},
		{target: "/%4", err: errEncoding},
		{target: "/%zz", err: errEncoding},
		{target: "/%%32%65", err: errEncoding},
		{target: "*", err: errTarget},
		{target: "example.com:80", err: errTarget},
		{target: "x.html", err: errTarget},
		{target: "/a#frag", err: errTarget},
	}
	for _, tt := range tests {
		res, err := resolveTarget([]byte(tt.target), nil)
		if tt.err != nil {
			if err != tt.err {
				t.Errorf("%q: error %v, want %v", tt.target, err, tt.err)
			}
			continue
		}
		if err != nil || string(res.name) != tt.name || string(res.query) != tt.query || res.dir != tt.dir {
			t.Errorf("%q: got name %q query %q dir %v err %v, want %q %q %v",
				tt.target, res.name, res.query, res.dir, err, tt.name, tt.query, tt.dir)
		}
	}
}

func TestResolveTargetReusesBuffer(t *testing.T) {
	buf := make([]byte, 0, 64)
	res, err := resolveTarget([]byte("/a/b.html"), buf)
	if err != nil || &res.name[0] != &buf[:1][0] {
		t.Errorf("name %q not built in the given buffer (err %v)", res.name, err)
	}
}
