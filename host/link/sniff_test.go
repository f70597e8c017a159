package link

import (
	"bytes"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sniffing is a capture of the kernel's packets into a new file; the test
// skips where the host may not capture (no CAP_NET_RAW), since the
// fallback is TestCaptureReadByTshark's.
func sniffing(t *testing.T) (*Capture, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "lab.pcapng")
	c, err := CreateCapture(file)
	if err != nil {
		t.Fatal(err)
	}
	if why := c.Synthesized(); why != nil {
		c.Close()
		t.Skipf("cannot capture the kernel's packets here (run as root in a network namespace): %v", why)
	}
	return c, file
}

// TestSniffedTCPIsTheKernels: a TCP exchange through a link, captured on
// lo, has the kernel's handshake, ACKs, window sizes and FINs on both sides
// of the link, each side an interface of its own.
func TestSniffedTCPIsTheKernels(t *testing.T) {
	noLeaks(t)
	capture, file := sniffing(t)
	data := bytes.Repeat([]byte("GET /index.html HTTP/1.0\r\n"), 4000) // 104 kB: many segments, window updates
	tl := startTCP(t, Config{Name: "web", Target: tcpServer(t, echo), Capture: capture})
	tc := dialTCP(t, tl)
	if got := roundTrip(t, tc, data); !bytes.Equal(got, data) {
		t.Fatalf("echo came back as %d bytes", len(got))
	}
	tc.Close()
	time.Sleep(50 * time.Millisecond) // the FINs
	tl.Close()
	if err := capture.Close(); err != nil {
		t.Fatal(err)
	}

	ifaces := tshark(t, file, "-T", "fields", "-e", "frame.interface_name")
	for _, want := range []string{"web client side", "server " + tl.target.String() + " side"} {
		if !strings.Contains(ifaces, want) {
			t.Errorf("no packet on interface %q", want)
		}
	}
	// Per side: SYN, SYN+ACK, bare ACKs, FIN from each end, and windows
	// that are not the synthesized constant.
	for _, side := range []string{"web client side", "server " + tl.target.String() + " side"} {
		in := `frame.interface_name == "` + side + `" && `
		count := func(filter string) int {
			return len(lines(tshark(t, file, "-Y", in+filter, "-T", "fields", "-e", "frame.number")))
		}
		for what, filter := range map[string]string{
			"SYN":      "tcp.flags.syn == 1 && tcp.flags.ack == 0",
			"SYN+ACK":  "tcp.flags.syn == 1 && tcp.flags.ack == 1",
			"bare ACK": "tcp.flags == 0x010 && tcp.len == 0",
			"FIN":      "tcp.flags.fin == 1",
		} {
			if tshark(t, file, "-Y", in+filter) == "" {
				t.Errorf("%s: no %s", side, what)
			}
		}
		if n := count("tcp.flags.fin == 1"); n < 2 {
			t.Errorf("%s: %d FINs, want one from each end", side, n)
		}
		windows := map[string]bool{}
		for _, w := range lines(tshark(t, file, "-Y", in+"tcp", "-T", "fields", "-e", "tcp.window_size_value")) {
			windows[w] = true
		}
		if len(windows) < 2 {
			t.Errorf("%s: window sizes %v: the kernel's vary", side, windows)
		}
	}
	// Both sides carry the whole request and its echo.
	for stream := range 2 {
		req, resp := followTCP(t, file, stream)
		if !bytes.Equal(req, data) || !bytes.Equal(resp, data) {
			t.Errorf("TCP stream %d reassembles to %d and %d bytes, want %d each way", stream, len(req), len(resp), len(data))
		}
	}
}

// TestSniffedDropOnlyOnSendersSide: a datagram the link drops was sent by
// the client and never by the link: it is on the client's side only. The
// Wireshark dissector of contrib/ names the fields.
func TestSniffedDropOnlyOnSendersSide(t *testing.T) {
	noLeaks(t)
	capture, file := sniffing(t)
	srv := newUDPServer(t, "udp4", "127.0.0.1:0")
	rec := &recorder{}
	u := startUDP(t, Config{Name: "ping", Target: srv.addr(), Seed: 7, ToServer: Impairment{Loss: 0.3}, Sink: rec.sink, Capture: capture})
	c := dialUDP(t, u.Addr())
	for i := 1; i <= 10; i++ {
		ping(t, c, "Ping "+string(rune('0'+i%10))+" 1764147583.123456", 200*time.Millisecond)
	}
	u.Close()
	if err := capture.Close(); err != nil {
		t.Fatal(err)
	}
	dropped := seqs(rec.get(ToServer), Dropped)
	if len(dropped) != 1 {
		t.Fatalf("dropped %v, want one datagram for seed 7", dropped)
	}
	lost := "Ping " + string(rune('0'+(dropped[0]+1)%10))
	out := tshark(t, file, "-X", "lua_script:"+filepath.Join("..", "..", "contrib", "wireshark", "socklab.lua"),
		"-Y", "socklab", "-T", "fields", "-E", "separator=,", "-e", "frame.interface_name", "-e", "socklab.kind", "-e", "socklab.seq")
	sides := map[string][]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		parts := strings.Split(l, ",")
		if len(parts) != 3 {
			t.Fatalf("tshark line %q", l)
		}
		sides[parts[1]+" "+parts[2]] = append(sides[parts[1]+" "+parts[2]], parts[0])
	}
	seq := strings.TrimPrefix(lost, "Ping ")
	got := sides["ping "+seq]
	slices.Sort(got) // the link may note its decision before the sniffer has the packet
	if len(got) != 2 || got[0] != "ping client side" || got[1] != "ping decisions" {
		t.Errorf("the lost ping %s is on %v, want the client's side, and the link's decisions", seq, got)
	}
	// The link's decision is the comment of its copy.
	comments := tshark(t, file, "-Y", `frame.interface_name == "ping decisions"`, "-T", "fields", "-e", "frame.comment")
	if want := "link ping to-server datagram " + strconv.FormatUint(dropped[0], 10) + " (flow 0): dropped"; strings.TrimSpace(comments) != want {
		t.Errorf("decisions %q, want %q", comments, want)
	}
	// The test server echoes the ping as is: each other ping goes and
	// comes back on each side.
	for k, got := range sides {
		if k == "ping "+seq {
			continue
		}
		n := map[string]int{}
		for _, side := range got {
			n[side]++
		}
		if len(got) != 4 || n["ping client side"] != 2 || n["ping decisions"] != 0 {
			t.Errorf("%s is on %v, want twice on each side", k, got)
		}
	}
}
