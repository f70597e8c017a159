package web_test

import (
	"fmt"
	"testing"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/judge/internal/judgetest"
	"github.com/socklab/socklab/host/check/judge/web"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

const webServerLab = `
  web_server "student" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "reference" {
    server = web_server.student.address
  }
`

func wcResponse(path string, status uint32, headers map[string]string, body string) *pb.WebClientEvent {
	r := &pb.WebResponse{Path: path, Status: status, StatusLine: fmt.Sprintf("HTTP/1.1 %d X", status), Body: []byte(body), BodySize: uint64(len(body))}
	for _, name := range []string{"Content-Type", "Content-Length"} {
		if v, ok := headers[name]; ok {
			r.Headers = append(r.Headers, &pb.Header{Name: name, Value: v})
		}
	}
	return &pb.WebClientEvent{Event: &pb.WebClientEvent_Response{Response: r}}
}

func TestWebServerChecks(t *testing.T) {
	hello := "<html>hello</html>\n"
	good := map[string]string{"Content-Type": "text/html; charset=utf-8", "Content-Length": fmt.Sprint(len(hello))}
	tests := []struct {
		name      string
		responses []*pb.WebClientEvent
		probes    []judge.ProbeResult
		check     string
		wants     []string
	}{
		{"the file", []*pb.WebClientEvent{wcResponse("/hello.html", 200, good, hello)}, nil, "ok", nil},
		{"a short body", []*pb.WebClientEvent{wcResponse("/hello.html", 200, good, hello[:5])}, nil, "ok", []string{"GET /hello.html: 200 with 5 bytes, but the file has 19"}},
		{"the skeleton's trailing CRLF", []*pb.WebClientEvent{wcResponse("/hello.html", 200, nil, hello+"\r\n")}, nil, "ok", nil},
		{"trailing CRLF is not exact", []*pb.WebClientEvent{wcResponse("/hello.html", 200, nil, hello+"\r\n")}, nil, "exact",
			[]string{`GET /hello.html: 200 with 21 bytes, but the file has 19: after it comes "\r\n"`}},
		{"another file", []*pb.WebClientEvent{wcResponse("/hello.html", 200, nil, "<html>bye</html>\n")}, nil, "ok", []string{"not the file's 19 (first difference at byte 6)"}},
		{"no headers", []*pb.WebClientEvent{wcResponse("/hello.html", 200, nil, hello)}, nil, "headers", []string{"no Content-Length header", "no Content-Type header"}},
		{"no 200, no headers to judge", []*pb.WebClientEvent{wcResponse("/hello.html", 404, nil, "")}, nil, "headers", []string{"nothing to judge"}},
		{"traversal without an answer", []*pb.WebClientEvent{{Event: &pb.WebClientEvent_Response{Response: &pb.WebResponse{Path: "/../secret.txt", Error: "connection refused"}}}}, nil, "traversal",
			[]string{"must be refused with an answer"}},
		{"wrong headers", []*pb.WebClientEvent{wcResponse("/hello.html", 200, map[string]string{"Content-Type": "text/plain", "Content-Length": "3"}, hello)}, nil, "headers",
			[]string{"Content-Length: 3, but the file has 19 bytes", "Content-Type: text/plain, want text/html"}},
		{"404", []*pb.WebClientEvent{wcResponse("/nope.html", 404, nil, "")}, nil, "not_found", nil},
		{"200 for nothing", []*pb.WebClientEvent{wcResponse("/nope.html", 200, nil, "")}, nil, "not_found", []string{"GET /nope.html (no such file): got \"HTTP/1.1 200 X\", want 404 Not Found"}},
		{"traversal refused", []*pb.WebClientEvent{wcResponse("/../secret.txt", 404, nil, "")}, nil, "traversal", nil},
		{"traversal served", []*pb.WebClientEvent{wcResponse("/%2e%2e/secret.txt", 200, nil, "the secret\n")}, nil, "traversal",
			[]string{"GET /%2e%2e/secret.txt: \"HTTP/1.1 200 X\" with the content of secret.txt, a file outside the document root"}},
		{"400", nil, []judge.ProbeResult{{Sent: []byte("GET\r\n\r\n"), Reply: []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")}}, "malformed", nil},
		{"no answer to garbage", nil, []judge.ProbeResult{{Sent: []byte("GARBAGE\r\n\r\n")}, {Sent: []byte("GET\r\n\r\n"), Reply: []byte("HTTP/1.0 404 Not Found\r\n\r\n")}}, "malformed",
			[]string{`request "GARBAGE\r\n\r\n": the server closed the connection without an answer; want 400 Bad Request`,
				`request "GET\r\n\r\n": the server answered "HTTP/1.0 404 Not Found", want 400 Bad Request`}},
		{"served while one sat idle", []*pb.WebClientEvent{wcResponse("/hello.html", 200, good, hello)}, []judge.ProbeResult{{Held: true}}, "concurrent", nil},
		{"blocked by an idle one", []*pb.WebClientEvent{{Event: &pb.WebClientEvent_Response{Response: &pb.WebResponse{Path: "/hello.html", Error: "timeout"}}}},
			[]judge.ProbeResult{{Held: true}}, "concurrent", []string{"GET /hello.html: no whole response (timeout) while 1 other connection(s) sat idle"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := judgetest.New(t, web.Server(), webServerLab, false)
			f.O.Files = map[string][]byte{"www/hello.html": []byte(hello), "secret.txt": []byte("the secret\n")}
			for _, r := range tt.responses {
				f.Event("reference", 10, r)
			}
			f.O.Probes = tt.probes
			judgetest.Want(t, tt.check, f.Judge(tt.check, nil), tt.wants...)
		})
	}
}

const webClientLab = `
  web_server "reference" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "student" {
    server = web_server.reference.address
    paths  = ["/hello.html"]
  }
`

func TestWebClientChecks(t *testing.T) {
	hello := "<html>hello</html>\n"
	request := func(method, target string, status uint32) *pb.WebServerEvent {
		return &pb.WebServerEvent{Event: &pb.WebServerEvent_Request{Request: &pb.WebRequest{Method: method, Target: target, Status: status, Reason: "malformed request line"}}}
	}
	tests := []struct {
		name    string
		plain   bool
		request *pb.WebServerEvent
		shown   *pb.WebClientEvent
		check   string
		wants   []string
	}{
		{"a GET", false, request("GET", "/hello.html", 200), nil, "request", nil},
		{"no slash", false, request("GET", "hello.html", 400), nil, "request", []string{`the request for /hello.html reached the server as "GET hello.html", without the target's leading "/"; it answered 400 (malformed request line)`}},
		{"another path", false, request("GET", "/other.html", 400), nil, "request", []string{`no request for /hello.html reached the server; it received "GET /other.html", answered 400 (malformed request line)`}},
		{"no slash: the status shown is judged", false, request("GET", "hello.html", 400), wcResponse("hello.html", 400, nil, ""), "status", nil},
		{"refused", false, request("GET", "/hello.html", 400), nil, "request", []string{"the server refused the request for /hello.html with 400: malformed request line"}},
		{"the status shown", false, request("GET", "/hello.html", 200), wcResponse("/hello.html", 200, nil, hello), "status", nil},
		{"no status shown", true, request("GET", "/hello.html", 200), wcResponse("/hello.html", 0, nil, ""), "status", []string{"/hello.html: the server answered 200; the client printed no status line"}},
		{"the body, printed", true, nil, wcResponse("hello.html", 200, nil, "\r\n"+hello+"\n"), "body", nil},
		{"half the body", false, nil, wcResponse("/hello.html", 200, nil, hello[:9]), "body", []string{"/hello.html: the client reported 9 bytes of body (9 in all), not the file's 19 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := judgetest.New(t, web.Client(), webClientLab, tt.plain)
			f.O.Files = map[string][]byte{"www/hello.html": []byte(hello)}
			if tt.request != nil {
				f.Event("reference", 5, tt.request)
			}
			if tt.shown != nil {
				f.Event("student", 10, tt.shown)
			}
			judgetest.Want(t, tt.check, f.Judge(tt.check, nil), tt.wants...)
		})
	}
}
