package plain

import (
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/internal/lazy"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// webClient reads what the sheet's "client.py host port filename" prints,
// one run per path.
// WebClient reads the sheet's HTTP client: one response per run, a run
// per path of cfg (a *pb.WebClientConfig).
func WebClient(cfg proto.Message) roles.PlainReader {
	c, _ := cfg.(*pb.WebClientConfig)
	return &webClient{paths: c.GetPaths()}
}

type webClient struct {
	paths []string
	run   int
	start time.Time
	lines []string
	sum   pb.WebClientSummary
}

var statusLineRE = lazy.Regexp(`^\s*(HTTP/\d\.\d)\s+(\d{3})\b`)

func (w *webClient) Line(text string, at time.Time) []proto.Message {
	if len(w.lines) == 0 {
		w.start = at
	}
	if lit, ok := bytesLiteral(text); ok {
		w.lines = append(w.lines, strings.Split(strings.ReplaceAll(lit, "\r\n", "\n"), "\n")...)
	} else {
		w.lines = append(w.lines, text)
	}
	return nil
}

// endRun turns one run's output into the Response for its path.
func (w *webClient) EndRun(at time.Time, exit error) []proto.Message {
	path := w.paths[min(w.run, len(w.paths)-1)]
	resp := readResponse(path, w.lines)
	if resp.StatusLine == "" {
		resp.Error = "printed no HTTP status line"
		if exit != nil {
			resp.Error += " (" + exit.Error() + ")"
		}
	}
	if !w.start.IsZero() {
		resp.Duration = durationpb.New(at.Sub(w.start))
	}
	w.sum.Requests++
	switch {
	case resp.Error == "" && resp.Status/100 == 2:
		w.sum.Ok++
	case resp.Error != "" || resp.Status >= 400:
		w.sum.Failed++
	}
	w.run++
	w.lines = nil
	return []proto.Message{&pb.WebClientEvent{Time: timestamppb.New(at), Event: &pb.WebClientEvent_Response{Response: resp}}}
}

func (w *webClient) Finish(at time.Time) []proto.Message {
	sum := proto.Clone(&w.sum).(*pb.WebClientSummary)
	return []proto.Message{&pb.WebClientEvent{Time: timestamppb.New(at), Event: &pb.WebClientEvent_Summary{Summary: sum}}}
}

// readResponse finds the printed response among lines.
func readResponse(path string, lines []string) *pb.WebResponse {
	resp := &pb.WebResponse{Path: path}
	i := 0
	for ; i < len(lines); i++ {
		if m := statusLineRE().FindStringSubmatch(lines[i]); m != nil {
			resp.StatusLine = strings.TrimSpace(lines[i])
			n, _ := strconv.Atoi(m[2])
			resp.Status = uint32(n)
			break
		}
	}
	if resp.StatusLine == "" {
		return resp
	}
	for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		name, value, ok := strings.Cut(lines[i], ":")
		if !ok {
			break // no empty line between head and body: the body starts here
		}
		resp.Headers = append(resp.Headers, &pb.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	if i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	if i < len(lines) {
		resp.Body = []byte(strings.Join(lines[i:], "\n"))
	}
	resp.BodySize = uint64(len(resp.Body))
	return resp
}

// bytesLiteral unescapes a line printed as a Python bytes literal,
// b'...' or b"...", as print(response) shows bytes.
func bytesLiteral(line string) (string, bool) {
	s := strings.TrimSpace(line)
	if len(s) < 3 || s[0] != 'b' || (s[1] != '\'' && s[1] != '"') || s[len(s)-1] != s[1] {
		return "", false
	}
	body := s[2 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' || i+1 == len(body) {
			b.WriteByte(c)
			continue
		}
		i++
		switch body[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\\', '\'', '"':
			b.WriteByte(body[i])
		case 'x':
			if i+2 < len(body) {
				if v, err := strconv.ParseUint(body[i+1:i+3], 16, 8); err == nil {
					b.WriteByte(byte(v))
					i += 2
					continue
				}
			}
			b.WriteString(`\x`)
		default:
			b.WriteByte('\\')
			b.WriteByte(body[i])
		}
	}
	return b.String(), true
}
