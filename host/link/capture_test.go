package link

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socklab/socklab/internal/tooltest"
)

// tshark runs tshark on a capture and returns its output; without tshark
// the test skips (see tooltest.Need).
func tshark(t *testing.T, file string, args ...string) string {
	t.Helper()
	path := tooltest.Need(t, "tshark")
	out, err := exec.Command(path, append([]string{"-r", file}, args...)...).Output()
	if err != nil {
		t.Fatalf("tshark %v: %v", args, err)
	}
	return string(out)
}

func lines(s string) []string {
	return strings.Fields(strings.TrimSpace(s))
}

// followTCP returns the two directions of a TCP stream as tshark reassembles them.
func followTCP(t *testing.T, file string, stream int) (fromOpener, fromAcceptor []byte) {
	t.Helper()
	out := tshark(t, file, "-q", "-z", "follow,tcp,raw,"+strconv.Itoa(stream))
	for _, line := range strings.Split(out, "\n") {
		// Data lines are hex; the acceptor's are indented by a tab.
		indented := strings.HasPrefix(line, "\t")
		b, err := hex.DecodeString(strings.TrimSpace(line))
		if err != nil || len(b) == 0 {
			continue
		}
		if indented {
			fromAcceptor = append(fromAcceptor, b...)
		} else {
			fromOpener = append(fromOpener, b...)
		}
	}
	return fromOpener, fromAcceptor
}

// synthesized is a capture of synthesized packets into file, what
// CreateCapture falls back to without the right to capture.
func synthesized(t *testing.T, file string) *Capture {
	t.Helper()
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCapture(f)
	if err != nil {
		t.Fatal(err)
	}
	c.closer = f
	return c
}

func TestCaptureReadByTshark(t *testing.T) {
	noLeaks(t)
	file := filepath.Join(t.TempDir(), "lab.pcap")
	capture := synthesized(t, file)

	// UDP: with seed 7 the link loses datagram 8 of 10 on its way to the server.
	srv := newUDPServer(t, "udp4", "127.0.0.1:0")
	rec := &recorder{}
	u := startUDP(t, Config{Name: "ping", Target: srv.addr(), Seed: 7, ToServer: Impairment{Loss: 0.3}, Sink: rec.sink, Capture: capture})
	c := dialUDP(t, u.Addr())
	for i := range 10 {
		ping(t, c, numbered("ping", i), 200*time.Millisecond)
	}

	// IPv6 frames too.
	srv6 := newUDPServer(t, "udp6", "[::1]:0")
	u6 := startUDP(t, Config{Name: "ping6", Target: srv6.addr(), Capture: capture})
	if got := ping(t, dialUDP(t, u6.Addr()), "over ipv6", 5*time.Second); got != "over ipv6" {
		t.Fatalf("IPv6 reply %q", got)
	}

	// TCP: an echo through a link that slices the stream.
	data := []byte(strings.Repeat("GET /index.html HTTP/1.0\r\n", 40))
	tl := startTCP(t, Config{Name: "web", Target: tcpServer(t, echo), ToServer: Impairment{MaxSegment: 100}, Capture: capture})
	tc := dialTCP(t, tl)
	if got := roundTrip(t, tc, data); !bytes.Equal(got, data) {
		t.Fatalf("echo came back as %q", got)
	}

	u.Close()
	u6.Close()
	tl.Close()
	if err := capture.Close(); err != nil {
		t.Fatal(err)
	}

	if dropped := seqs(rec.get(ToServer), Dropped); !slices.Equal(dropped, []uint64{8}) {
		t.Fatalf("dropped %v, want [8] for seed 7", dropped)
	}
	// Each ping shows on both sides each way, but the lost one only on the
	// client's side, and it has no reply.
	payloads := lines(tshark(t, file, "-Y", "udp && ip", "-T", "fields", "-e", "udp.payload"))
	if len(payloads) != 9*4+1 {
		t.Errorf("%d UDP packets, want %d", len(payloads), 9*4+1)
	}
	count := func(msg string) int {
		n := 0
		for _, p := range payloads {
			if p == hex.EncodeToString([]byte(msg)) {
				n++
			}
		}
		return n
	}
	if n := count("ping 003"); n != 4 {
		t.Errorf("ping 003 appears %d times, want 4", n)
	}
	if n := count("ping 008"); n != 1 {
		t.Errorf("lost ping 008 appears %d times, want once, on the client's side", n)
	}
	// The real addresses: the client's side, then the server's.
	convs := tshark(t, file, "-q", "-z", "conv,udp")
	for _, want := range []string{c.LocalAddr().String(), u.Addr().String(), srv.addr()} {
		if !strings.Contains(convs, want) {
			t.Errorf("UDP conversations lack %s:\n%s", want, convs)
		}
	}

	if got := lines(tshark(t, file, "-Y", "ipv6.src == ::1 && udp", "-T", "fields", "-e", "udp.payload")); len(got) != 4 || got[0] != hex.EncodeToString([]byte("over ipv6")) {
		t.Errorf("IPv6 payloads %v, want 4 of %q", got, "over ipv6")
	}

	// TCP: two streams, the client's side and the server's, each carrying
	// the request and its echo.
	if n := len(lines(tshark(t, file, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0"))); n == 0 {
		t.Error("no SYN in the capture")
	}
	for stream := range 2 {
		req, resp := followTCP(t, file, stream)
		if !bytes.Equal(req, data) || !bytes.Equal(resp, data) {
			t.Errorf("TCP stream %d reassembles to %d and %d bytes, want %d each way", stream, len(req), len(resp), len(data))
		}
	}
	if bad := tshark(t, file, "-Y", "_ws.malformed || tcp.analysis.flags || _ws.expert.severity >= error"); bad != "" {
		t.Errorf("tshark finds problems:\n%s", bad)
	}
}

func TestNilCaptureDoesNothing(t *testing.T) {
	var c *Capture
	c.udp([2]netip.AddrPort{}, []byte("x"))
	if c.newTCPSide([2]netip.AddrPort{}, [2]uint32{}) != nil || c.Flush() != nil || c.Close() != nil {
		t.Error("a nil capture did something")
	}
}
