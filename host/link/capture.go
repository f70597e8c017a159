package link

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sync"
	"time"
)

// Capture writes the traffic of any number of links into one file.
//
// Made by CreateCapture where the host may open an AF_PACKET socket
// (CAP_NET_RAW: root, or a network namespace of its own), it holds the
// packets the kernel sent on the loopback interface for each link's
// sockets, as pcapng with an interface per side of each link (sniff.go):
// the TCP handshakes, ACKs, windows and retransmissions are the real ones.
//
// Otherwise (NewCapture, or CreateCapture without the permission, which
// Synthesized then explains) it is a pcap of packets synthesized from what
// the links carried: frames are Ethernet with zero MAC addresses, as Linux
// captures on its loopback interface, so Wireshark and tshark decode IPv4
// and IPv6 alike. Each link contributes both of its sides with their real
// addresses: what the client sent to the front address and what the link
// sent on to the server (and back); a dropped datagram appears only on its
// sender's side. TCP conversations are synthesized per side from what the
// proxy read and wrote, so "Follow TCP stream" shows each side's bytes, but
// their ACKs and windows are not the kernel's.
//
// A Capture is safe for concurrent use, buffers its output, and writes
// nothing once closed. A nil *Capture captures nothing, and its Flush and
// Close do nothing.
type Capture struct {
	mu     sync.Mutex
	bw     *bufio.Writer
	pw     pcapWriter
	closer io.Closer
	buf    []byte // the last frame's storage
	ipID   uint16
	err    error // first write error
	closed bool

	sniff *sniffer // the kernel's packets; nil: synthesized
	why   error    // why they are synthesized, for CreateCapture
}

const snapLen = 256 << 10

// NewCapture writes a pcap header to w and returns a Capture writing to it.
// Close flushes but does not close w.
func NewCapture(w io.Writer) (*Capture, error) {
	c := &Capture{bw: bufio.NewWriterSize(w, 256<<10)}
	c.pw.w = c.bw
	if err := c.pw.writeHeader(snapLen); err != nil {
		return nil, fmt.Errorf("pcap header: %w", err)
	}
	return c, nil
}

// CreateCapture creates (or truncates) the file at path for a Capture, which
// Close closes: the kernel's packets as pcapng if the host may capture
// them, else a pcap of synthesized packets (see Synthesized).
func CreateCapture(path string) (*Capture, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	s, sniffErr := startSniffer(f)
	if sniffErr == nil {
		return &Capture{sniff: s, closer: f}, nil
	}
	// Start again on an empty file, whatever the sniffer wrote.
	_, err = f.Seek(0, io.SeekStart)
	if err == nil {
		err = f.Truncate(0)
	}
	var c *Capture
	if err == nil {
		c, err = NewCapture(f)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("capture %s: %w", path, err)
	}
	c.closer, c.why = f, sniffErr
	return c, nil
}

// Synthesized says why the capture holds packets synthesized from what the
// links carried rather than the kernel's; nil if they are the kernel's.
func (c *Capture) Synthesized() error {
	if c == nil || c.sniff != nil {
		return nil
	}
	if c.why == nil {
		return errors.New("a capture made by NewCapture")
	}
	return c.why
}

// watch tells a sniffing capture a link's ports.
func (c *Capture) watch(name string, front, server netip.AddrPort) {
	if c != nil && c.sniff != nil {
		c.sniff.watch(name, front, server)
	}
}

// Flush writes out buffered packets.
func (c *Capture) Flush() error {
	if c == nil {
		return nil
	}
	if c.sniff != nil {
		c.sniff.mu.Lock()
		defer c.sniff.mu.Unlock()
		return c.sniff.w.flush()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.flushLocked()
}

func (c *Capture) flushLocked() error {
	if c.err == nil && !c.closed {
		c.err = c.bw.Flush()
	}
	return c.err
}

// Close flushes the capture and closes its file; packets that links try to
// write later are ignored. It returns the first error met while writing.
func (c *Capture) Close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	if c.sniff != nil {
		if !c.closed {
			err = c.sniff.close()
		}
	} else {
		err = c.flushLocked()
	}
	c.closed = true
	if c.closer != nil {
		err = errors.Join(err, c.closer.Close())
		c.closer = nil
	}
	if err != nil {
		return fmt.Errorf("capture: %w", err)
	}
	return nil
}

// udp captures a datagram from ends[0] to ends[1].
func (c *Capture) udp(ends [2]netip.AddrPort, payload []byte) {
	if c == nil || c.sniff != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeLocked(ends, nil, payload)
}

// writeLocked frames a packet from ends[0] to ends[1], a TCP segment if
// tcp is set, else a UDP datagram, and writes it.
func (c *Capture) writeLocked(ends [2]netip.AddrPort, tcp *tcpHeader, payload []byte) {
	if c.closed || c.err != nil {
		return
	}
	c.ipID++
	data, err := frame(c.buf, c.ipID, ends, tcp, payload)
	if err != nil {
		c.err = err
		return
	}
	c.buf = data
	if err := c.pw.writePacket(time.Now(), data); err != nil {
		c.err = err
	}
}

// note records, in a sniffing capture, what a UDP link did to a datagram
// other than deliver it: its ground truth beside the kernel's packets.
func (c *Capture) note(link string, f *flow, d Direction, seq uint64, fate Fate, delay time.Duration, data []byte) {
	if c == nil || c.sniff == nil {
		return
	}
	ends := [2]netip.AddrPort{f.client, f.front}
	if d == ToClient {
		ends = [2]netip.AddrPort{f.server, f.upstream}
	}
	what := fmt.Sprintf("link %s %s datagram %d (flow %d): %s", link, d, seq, f.id, fate)
	if delay > 0 && fate&(Delayed|Reordered) != 0 {
		what += fmt.Sprintf(" after %s", delay)
	}
	c.sniff.note(link, ends, what, data)
}

// maxCaptureSegment keeps a synthesized TCP segment within one IP packet.
const maxCaptureSegment = 32 << 10

// tcpSide is the synthesized TCP conversation on one side of a proxied
// connection: end 0 opened it (the client, or the link's upstream socket)
// and end 1 accepted it (the link's front, or the server). A nil *tcpSide
// captures nothing.
type tcpSide struct {
	c    *Capture
	ends [2]netip.AddrPort
	next [2]uint32 // each end's next sequence number
	done bool      // reset: nothing more to capture
}

// newTCPSide captures the three-way handshake of a side.
func (c *Capture) newTCPSide(ends [2]netip.AddrPort, isn [2]uint32) *tcpSide {
	if c == nil || c.sniff != nil {
		return nil
	}
	s := &tcpSide{c: c, ends: ends, next: [2]uint32{isn[0] + 1, isn[1] + 1}}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeLocked(s.from(0), &tcpHeader{syn: true, seq: isn[0], window: tcpWindow}, nil)
	c.writeLocked(s.from(1), &tcpHeader{syn: true, ack: true, seq: isn[1], ackNum: s.next[0], window: tcpWindow}, nil)
	s.segmentLocked(0, segAck, nil)
	return s
}

const tcpWindow = 65535

// from returns the side's ends as sender end first.
func (s *tcpSide) from(end int) [2]netip.AddrPort {
	return [2]netip.AddrPort{s.ends[end], s.ends[1-end]}
}

type segKind uint8

const (
	segAck segKind = iota // data, or a bare ACK without any
	segFin
	segRst
)

// segment captures what end sent: data, a FIN or a RST.
func (s *tcpSide) segment(end int, kind segKind, data []byte) {
	if s == nil {
		return
	}
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	s.segmentLocked(end, kind, data)
}

func (s *tcpSide) segmentLocked(end int, kind segKind, data []byte) {
	if s.done {
		return
	}
	for {
		n := min(len(data), maxCaptureSegment)
		last := n == len(data)
		tcp := &tcpHeader{seq: s.next[end], ackNum: s.next[1-end], ack: true, psh: n > 0 && last, window: tcpWindow,
			fin: kind == segFin && last, rst: kind == segRst && last}
		s.c.writeLocked(s.from(end), tcp, data[:n])
		s.next[end] += uint32(n)
		if data = data[n:]; last {
			break
		}
	}
	switch kind {
	case segFin:
		s.next[end]++
	case segRst:
		s.done = true
	}
}
