package link

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"time"
)

// The capture's file formats and the packets synthesized for it, written
// here rather than with a packet library: socklab is one binary, also
// re-executed as every builtin plugin, and Go initialises every package
// linked into it at each start. gopacket's layers fill tables of 65,536
// entries at init (5 MiB), a cost each plugin paid for a capture only the
// host writes.

// linkTypeEthernet is the link type of every capture interface: Linux
// shows its loopback traffic as Ethernet frames with zero addresses.
const linkTypeEthernet = 1

// pcapWriter writes the classic pcap format with nanosecond timestamps,
// little-endian.
type pcapWriter struct {
	w   io.Writer
	buf [16]byte
}

// writeHeader writes the file header.
func (p *pcapWriter) writeHeader(snaplen uint32) error {
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:4], 0xa1b23c4d) // nanosecond timestamps
	binary.LittleEndian.PutUint16(h[4:6], 2)
	binary.LittleEndian.PutUint16(h[6:8], 4)
	binary.LittleEndian.PutUint32(h[16:20], snaplen)
	binary.LittleEndian.PutUint32(h[20:24], linkTypeEthernet)
	_, err := p.w.Write(h[:])
	return err
}

// writePacket writes a packet captured whole at t.
func (p *pcapWriter) writePacket(t time.Time, data []byte) error {
	binary.LittleEndian.PutUint32(p.buf[0:4], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(p.buf[4:8], uint32(t.Nanosecond()))
	binary.LittleEndian.PutUint32(p.buf[8:12], uint32(len(data)))
	binary.LittleEndian.PutUint32(p.buf[12:16], uint32(len(data)))
	if _, err := p.w.Write(p.buf[:]); err != nil {
		return err
	}
	_, err := p.w.Write(data)
	return err
}

// pcapng block types and option codes (draft-ietf-opsawg-pcapng).
const (
	ngSectionHeader    = 0x0a0d0d0a
	ngInterface        = 1
	ngEnhancedPacket   = 6
	ngOptEnd           = 0
	ngOptComment       = 1
	ngOptApplication   = 4 // shb_userappl
	ngOptIfName        = 2
	ngOptIfDescription = 3
	ngOptIfTsresol     = 9
)

// ngOption is a pcapng option: a string, or a one-byte value.
type ngOption struct {
	code  uint16
	text  string
	octet byte // if text is empty
}

func (o ngOption) size() int {
	n := len(o.text)
	if n == 0 {
		n = 1
	}
	return 4 + n + (4-n&3)&3
}

// ngWriter writes pcapng: one section, Ethernet interfaces with
// nanosecond timestamps, enhanced packet blocks with comments.
type ngWriter struct {
	w      *bufio.Writer
	ifaces int
	buf    [28]byte
}

// newNgWriter writes the section header, naming the application and
// carrying comment, and the section's first interface, lo.
func newNgWriter(w io.Writer, application, comment string, first ngIface) (*ngWriter, error) {
	nw := &ngWriter{w: bufio.NewWriter(w)}
	var opts []ngOption
	if application != "" {
		opts = append(opts, ngOption{code: ngOptApplication, text: application})
	}
	if comment != "" {
		opts = append(opts, ngOption{code: ngOptComment, text: comment})
	}
	length := 24 + optionsSize(opts) + 4
	binary.LittleEndian.PutUint32(nw.buf[0:4], ngSectionHeader)
	binary.LittleEndian.PutUint32(nw.buf[4:8], uint32(length))
	binary.LittleEndian.PutUint32(nw.buf[8:12], 0x1a2b3c4d) // byte-order magic
	binary.LittleEndian.PutUint16(nw.buf[12:14], 1)
	binary.LittleEndian.PutUint16(nw.buf[14:16], 0)
	binary.LittleEndian.PutUint64(nw.buf[16:24], ^uint64(0)) // section length unknown
	if err := nw.block(nw.buf[:24], nil, opts, length); err != nil {
		return nil, err
	}
	if _, err := nw.addInterface(first); err != nil {
		return nil, err
	}
	return nw, nil
}

// ngIface describes a capture interface.
type ngIface struct {
	name, description string
	snapLen           uint32
}

// addInterface writes an interface description block and returns the
// interface's index, which packets name.
func (nw *ngWriter) addInterface(i ngIface) (int, error) {
	var opts []ngOption
	if i.name != "" {
		opts = append(opts, ngOption{code: ngOptIfName, text: i.name})
	}
	if i.description != "" {
		opts = append(opts, ngOption{code: ngOptIfDescription, text: i.description})
	}
	opts = append(opts, ngOption{code: ngOptIfTsresol, octet: 9}) // nanoseconds
	length := 16 + optionsSize(opts) + 4
	binary.LittleEndian.PutUint32(nw.buf[0:4], ngInterface)
	binary.LittleEndian.PutUint32(nw.buf[4:8], uint32(length))
	binary.LittleEndian.PutUint16(nw.buf[8:10], linkTypeEthernet)
	binary.LittleEndian.PutUint16(nw.buf[10:12], 0)
	binary.LittleEndian.PutUint32(nw.buf[12:16], i.snapLen)
	if err := nw.block(nw.buf[:16], nil, opts, length); err != nil {
		return 0, err
	}
	nw.ifaces++
	return nw.ifaces - 1, nil
}

// writePacket writes the first bytes (data) of a packet of length bytes
// seen on interface iface at t, with a comment option per comment.
func (nw *ngWriter) writePacket(iface int, t time.Time, data []byte, length int, comments ...string) error {
	if iface < 0 || iface >= nw.ifaces {
		return fmt.Errorf("pcapng: packet on interface %d of %d", iface, nw.ifaces)
	}
	if len(data) > length {
		return fmt.Errorf("pcapng: %d bytes captured of a packet of %d", len(data), length)
	}
	opts := make([]ngOption, 0, len(comments))
	for _, c := range comments {
		opts = append(opts, ngOption{code: ngOptComment, text: c})
	}
	size := 28 + len(data) + (4-len(data)&3)&3 + optionsSize(opts) + 4
	ts := t.UnixNano()
	binary.LittleEndian.PutUint32(nw.buf[0:4], ngEnhancedPacket)
	binary.LittleEndian.PutUint32(nw.buf[4:8], uint32(size))
	binary.LittleEndian.PutUint32(nw.buf[8:12], uint32(iface))
	binary.LittleEndian.PutUint32(nw.buf[12:16], uint32(ts>>32))
	binary.LittleEndian.PutUint32(nw.buf[16:20], uint32(ts))
	binary.LittleEndian.PutUint32(nw.buf[20:24], uint32(len(data)))
	binary.LittleEndian.PutUint32(nw.buf[24:28], uint32(length))
	return nw.block(nw.buf[:28], data, opts, size)
}

func (nw *ngWriter) flush() error { return nw.w.Flush() }

// optionsSize is the size of opts with their end marker; 0 without any.
func optionsSize(opts []ngOption) int {
	if len(opts) == 0 {
		return 0
	}
	n := 4
	for _, o := range opts {
		n += o.size()
	}
	return n
}

// block writes a block's fixed part, its body padded to 4 bytes, its
// options and its trailing length.
func (nw *ngWriter) block(head, body []byte, opts []ngOption, length int) error {
	var zero [4]byte
	nw.w.Write(head)
	nw.w.Write(body)
	nw.w.Write(zero[:(4-len(body)&3)&3])
	if len(opts) > 0 {
		var h [4]byte
		for _, o := range opts {
			binary.LittleEndian.PutUint16(h[0:2], o.code)
			if o.text != "" {
				binary.LittleEndian.PutUint16(h[2:4], uint16(len(o.text)))
				nw.w.Write(h[:])
				nw.w.WriteString(o.text)
				nw.w.Write(zero[:(4-len(o.text)&3)&3])
				continue
			}
			binary.LittleEndian.PutUint16(h[2:4], 1)
			nw.w.Write(h[:])
			nw.w.Write([]byte{o.octet, 0, 0, 0})
		}
		nw.w.Write(zero[:]) // end of options
	}
	var l [4]byte
	binary.LittleEndian.PutUint32(l[:], uint32(length))
	_, err := nw.w.Write(l[:]) // a bufio.Writer keeps its first error
	return err
}

// tcpHeader is what a synthesized TCP segment says besides its ports.
type tcpHeader struct {
	seq, ackNum             uint32
	syn, ack, psh, fin, rst bool
	window                  uint16
}

const (
	protoTCP = 6
	protoUDP = 17
)

// frame builds, in buf's storage, the Ethernet frame of a packet from
// ends[0] to ends[1]: IPv4 (ipID its identification, don't fragment) if
// both ends are IPv4, else IPv6, carrying a TCP segment (tcp set) or a UDP
// datagram, checksums computed, padded to Ethernet's 60 bytes.
func frame(buf []byte, ipID uint16, ends [2]netip.AddrPort, tcp *tcpHeader, payload []byte) ([]byte, error) {
	src, dst := ends[0].Addr(), ends[1].Addr()
	v4 := src.Is4() && dst.Is4()
	ipLen, l4Len := 40, 8
	if v4 {
		ipLen = 20
	}
	proto := byte(protoUDP)
	if tcp != nil {
		proto, l4Len = protoTCP, 20
	}
	segment := l4Len + len(payload)
	// IPv4's length field counts its header, IPv6's only what follows it.
	if segment > 0xffff || (v4 && segment+ipLen > 0xffff) {
		return nil, fmt.Errorf("serialize: a packet of %d bytes is larger than an IP packet", segment+ipLen)
	}
	n := max(14+ipLen+segment, 60)
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	b := buf[:n]
	clear(b[:14+ipLen+l4Len])
	clear(b[14+ipLen+segment:])
	ethType := uint16(0x86dd)
	if v4 {
		ethType = 0x0800
	}
	binary.BigEndian.PutUint16(b[12:14], ethType)

	ip := b[14 : 14+ipLen]
	var pseudo uint32
	if v4 {
		s, d := src.As4(), dst.As4()
		ip[0] = 4<<4 | 5
		binary.BigEndian.PutUint16(ip[2:4], uint16(ipLen+segment))
		binary.BigEndian.PutUint16(ip[4:6], ipID)
		binary.BigEndian.PutUint16(ip[6:8], 0x4000) // don't fragment
		ip[8], ip[9] = 64, proto
		copy(ip[12:16], s[:])
		copy(ip[16:20], d[:])
		binary.BigEndian.PutUint16(ip[10:12], ^fold(sum(ip, 0)))
		pseudo = sum(ip[12:20], 0)
	} else {
		s, d := src.As16(), dst.As16()
		ip[0] = 6 << 4
		binary.BigEndian.PutUint16(ip[4:6], uint16(segment))
		ip[6], ip[7] = proto, 64
		copy(ip[8:24], s[:])
		copy(ip[24:40], d[:])
		pseudo = sum(ip[8:40], 0)
	}
	pseudo += uint32(proto) + uint32(segment)&0xffff + uint32(segment)>>16

	l4 := b[14+ipLen : 14+ipLen+segment]
	binary.BigEndian.PutUint16(l4[0:2], ends[0].Port())
	binary.BigEndian.PutUint16(l4[2:4], ends[1].Port())
	copy(l4[l4Len:], payload)
	if tcp == nil {
		binary.BigEndian.PutUint16(l4[4:6], uint16(segment))
		c := ^fold(sum(l4, pseudo))
		if c == 0 {
			c = 0xffff // zero would say there is no checksum (RFC 768)
		}
		binary.BigEndian.PutUint16(l4[6:8], c)
		return b, nil
	}
	binary.BigEndian.PutUint32(l4[4:8], tcp.seq)
	binary.BigEndian.PutUint32(l4[8:12], tcp.ackNum)
	flags := uint16(5) << 12 // data offset: no options
	for bit, set := range []bool{tcp.fin, tcp.syn, tcp.rst, tcp.psh, tcp.ack} {
		if set {
			flags |= 1 << bit
		}
	}
	binary.BigEndian.PutUint16(l4[12:14], flags)
	binary.BigEndian.PutUint16(l4[14:16], tcp.window)
	binary.BigEndian.PutUint16(l4[16:18], ^fold(sum(l4, pseudo)))
	return b, nil
}

// sum adds data's 16-bit big-endian words (an odd last byte as the high
// byte of one) to s.
// An IP packet's 32,768 words at most cannot overflow it.
func sum(data []byte, s uint32) uint32 {
	for len(data) >= 2 {
		s += uint32(binary.BigEndian.Uint16(data))
		data = data[2:]
	}
	if len(data) == 1 {
		s += uint32(data[0]) << 8
	}
	return s
}

// fold folds a one's complement sum to 16 bits.
func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}
