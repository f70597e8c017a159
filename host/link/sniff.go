package link

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// sniffer captures what the kernel itself sends on the loopback interface
// for the links' ports (an AF_PACKET socket, which needs CAP_NET_RAW), into
// a pcapng file with an interface per side of each link: the client's side
// (client and front) and the server's (upstream and server). TCP
// handshakes, ACKs, windows and retransmissions are the kernel's.
type sniffer struct {
	fd int
	w  *ngWriter

	mu    sync.Mutex
	sides map[uint16]int // a front or server port: its interface
	notes map[string]int // a link: the interface of its decisions
	buf   []byte         // the last decision's frame
	last  time.Time      // when the last packet came
	err   error
	stop  atomic.Bool
	done  chan struct{}
}

// loopback is the interface the links' traffic crosses.
const loopback = "lo"

// sniffBuffer is the capture socket's receive buffer: a TCP burst on lo is
// many 64 kB frames, and the writer must not lose them.
const sniffBuffer = 32 << 20

// startSniffer opens the capture socket on lo and starts writing pcapng to
// w. It fails without CAP_NET_RAW.
func startSniffer(w io.Writer) (*sniffer, error) {
	lo, err := net.InterfaceByName(loopback)
	if err != nil {
		return nil, err
	}
	proto := int(htons(unix.ETH_P_ALL))
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, fmt.Errorf("packet socket: %w", err)
	}
	err = unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: lo.Index})
	if err == nil {
		if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, sniffBuffer) != nil {
			_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, sniffBuffer)
		}
		// A timeout, so that the reader sees stop.
		err = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Usec: 20000})
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("packet socket on %s: %w", loopback, err)
	}
	nw, err := newNgWriter(w, "socklab", sniffComment,
		ngIface{name: loopback, description: "loopback, traffic of no link", snapLen: snapLen})
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("pcapng header: %w", err)
	}
	s := &sniffer{fd: fd, w: nw, sides: map[uint16]int{}, notes: map[string]int{}, done: make(chan struct{})}
	go s.loop()
	return s, nil
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

const sniffComment = "Captured by socklab on the loopback interface: the packets the kernel sent for each link's sockets. " +
	"Interface \"LINK client side\" is the client and the link's front, \"server ADDR side\" the links' upstream sockets and the server. " +
	"A datagram the link dropped appears only on its sender's side; interface \"LINK decisions\" has a copy of each datagram the link dropped, delayed, duplicated or reordered, the decision in its comment."

// watch adds the interfaces of a link's two sides, by the ports that
// identify them: its front's and its server's.
func (s *sniffer) watch(name string, front, server netip.AddrPort) {
	s.mu.Lock()
	defer s.mu.Unlock()
	add := func(port uint16, ifName, desc string) {
		if _, ok := s.sides[port]; ok {
			return
		}
		id, err := s.w.addInterface(ngIface{name: ifName, description: desc, snapLen: snapLen})
		if err != nil {
			s.err = errors.Join(s.err, err)
			return
		}
		s.sides[port] = id
	}
	add(front.Port(), name+" client side", fmt.Sprintf("link %s: its client and its front %s", name, front))
	add(server.Port(), "server "+server.String()+" side", fmt.Sprintf("the links' upstream sockets and the server %s", server))
}

// note writes a link's decision about a datagram (dropped, delayed,
// duplicated, reordered) on the link's own "LINK decisions" interface: the
// datagram as the link received it, its first bytes, with the decision as
// the packet's comment.
func (s *sniffer) note(link string, ends [2]netip.AddrPort, what string, payload []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.notes[link]
	if !ok {
		var err error
		id, err = s.w.addInterface(ngIface{name: link + " decisions",
			description: "what link " + link + " did to datagrams other than deliver them; each packet's comment says what",
			snapLen:     snapLen})
		if err != nil {
			s.err = errors.Join(s.err, err)
			return
		}
		s.notes[link] = id
	}
	data, err := frame(s.buf, 0, ends, nil, payload)
	if err == nil {
		s.buf = data
		err = s.w.writePacket(id, time.Now(), data, len(data), what)
	}
	if err != nil {
		s.err = errors.Join(s.err, err)
	}
}

func (s *sniffer) loop() {
	defer close(s.done)
	buf := make([]byte, snapLen)
	for !s.stop.Load() {
		n, from, err := unix.Recvfrom(s.fd, buf, unix.MSG_TRUNC)
		if err != nil {
			if err == unix.EAGAIN || err == unix.EINTR {
				continue
			}
			s.mu.Lock()
			s.err = errors.Join(s.err, fmt.Errorf("capture: %w", err))
			s.mu.Unlock()
			return
		}
		// On lo each packet passes twice, going out and coming in: keep
		// one, as tcpdump does.
		if ll, ok := from.(*unix.SockaddrLinklayer); ok && ll.Pkttype == unix.PACKET_OUTGOING {
			continue
		}
		at := time.Now()
		data := buf[:min(n, len(buf))]
		src, dst, ok := framePorts(data)
		if !ok {
			continue
		}
		s.mu.Lock()
		id, known := s.sides[src]
		if !known {
			id, known = s.sides[dst]
		}
		if known {
			s.last = at
			if err := s.w.writePacket(id, at, data, n); err != nil {
				s.err = errors.Join(s.err, err)
			}
		}
		s.mu.Unlock()
	}
}

// framePorts reads the transport ports of an Ethernet frame carrying TCP
// or UDP over IPv4 or IPv6.
func framePorts(b []byte) (src, dst uint16, ok bool) {
	if len(b) < 14 {
		return 0, 0, false
	}
	var proto byte
	var l4 []byte
	switch binary.BigEndian.Uint16(b[12:14]) {
	case 0x0800: // IPv4
		ip := b[14:]
		if len(ip) < 20 {
			return 0, 0, false
		}
		ihl := int(ip[0]&0x0f) * 4
		if len(ip) < ihl {
			return 0, 0, false
		}
		proto, l4 = ip[9], ip[ihl:]
	case 0x86dd: // IPv6
		ip := b[14:]
		if len(ip) < 40 {
			return 0, 0, false
		}
		proto, l4 = ip[6], ip[40:]
	default:
		return 0, 0, false
	}
	if (proto != protoTCP && proto != protoUDP) || len(l4) < 4 {
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(l4[0:2]), binary.BigEndian.Uint16(l4[2:4]), true
}

// close waits until the kernel has delivered what was sent (no packet
// for a moment, at most a while), then stops capturing and flushes.
func (s *sniffer) close() error {
	const quiet, most = 30 * time.Millisecond, 500 * time.Millisecond
	for start := time.Now(); time.Since(start) < most; time.Sleep(10 * time.Millisecond) {
		s.mu.Lock()
		idle := time.Since(s.last) >= quiet
		s.mu.Unlock()
		if idle {
			break
		}
	}
	s.stop.Store(true)
	<-s.done
	unix.Close(s.fd)
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.err, s.w.flush())
}
