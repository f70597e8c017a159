package link

import (
	"bytes"
	"math/rand/v2"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/socklab/socklab/internal/gofiles"
)

// The capture's own writers and frames are checked byte for byte against
// gopacket's, which the capture used before: a test dependency only, so
// that the socklab binary does not initialise it.

// TestNoPacketLibrary: the host binary, every builtin plugin's too, links
// package link but not gopacket, whose init every plugin would pay.
func TestNoPacketLibrary(t *testing.T) {
	found, err := gofiles.DepsAmong(".", "github.com/gopacket")
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range found {
		t.Errorf("host/link depends on %s", dep)
	}
}

// gopacketFrame is frame as gopacket serializes it.
func gopacketFrame(t *testing.T, ipID uint16, ends [2]netip.AddrPort, tcp *tcpHeader, payload []byte) []byte {
	t.Helper()
	src, dst := ends[0].Addr(), ends[1].Addr()
	eth := &layers.Ethernet{SrcMAC: make(net.HardwareAddr, 6), DstMAC: make(net.HardwareAddr, 6)}
	var tr interface {
		gopacket.SerializableLayer
		SetNetworkLayerForChecksum(gopacket.NetworkLayer) error
	}
	proto := layers.IPProtocolUDP
	if tcp != nil {
		proto = layers.IPProtocolTCP
		tr = &layers.TCP{SrcPort: layers.TCPPort(ends[0].Port()), DstPort: layers.TCPPort(ends[1].Port()),
			Seq: tcp.seq, Ack: tcp.ackNum, SYN: tcp.syn, ACK: tcp.ack, PSH: tcp.psh, FIN: tcp.fin, RST: tcp.rst, Window: tcp.window}
	} else {
		tr = &layers.UDP{SrcPort: layers.UDPPort(ends[0].Port()), DstPort: layers.UDPPort(ends[1].Port())}
	}
	var ip interface {
		gopacket.NetworkLayer
		gopacket.SerializableLayer
	}
	if src.Is4() && dst.Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		ip = &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: ipID, Flags: layers.IPv4DontFragment, Protocol: proto,
			SrcIP: src.AsSlice(), DstIP: dst.AsSlice()}
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		s, d := src.As16(), dst.As16()
		ip = &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: proto, SrcIP: s[:], DstIP: d[:]}
	}
	if err := tr.SetNetworkLayerForChecksum(ip); err != nil {
		t.Fatal(err)
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, tr, gopacket.Payload(payload)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFramesAreGopacketsFrames(t *testing.T) {
	v4 := [2]netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:40000"), netip.MustParseAddrPort("127.0.0.2:9")}
	v6 := [2]netip.AddrPort{netip.MustParseAddrPort("[::1]:5353"), netip.MustParseAddrPort("[fe80::1]:65535")}
	mixed := [2]netip.AddrPort{netip.MustParseAddrPort("127.0.0.1:1"), netip.MustParseAddrPort("[::ffff:127.0.0.1]:2")}
	rng := rand.New(rand.NewPCG(1, 2))
	payload := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	tcps := []*tcpHeader{
		nil, // UDP
		{syn: true, seq: 1 << 31, window: tcpWindow},
		{syn: true, ack: true, seq: 7, ackNum: 0xffffffff, window: tcpWindow},
		{ack: true, psh: true, seq: 100, ackNum: 200, window: 1},
		{ack: true, fin: true, seq: 3, ackNum: 4},
		{ack: true, rst: true},
	}
	for _, ends := range [][2]netip.AddrPort{v4, v6, mixed} {
		for _, tcp := range tcps {
			for _, n := range []int{0, 1, 5, 6, 45, 46, 1399, maxCaptureSegment, 65000} {
				ipID := uint16(rng.Uint32())
				p := payload(n)
				want := gopacketFrame(t, ipID, ends, tcp, p)
				// A buffer of a larger frame before is reused.
				got, err := frame(make([]byte, 70000), ipID, ends, tcp, p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%v tcp %+v, %d bytes: frame differs from gopacket's\n got %x\nwant %x", ends, tcp, n, head(got), head(want))
				}
			}
		}
	}
	if _, err := frame(nil, 0, v4, nil, make([]byte, 65536-28)); err == nil {
		t.Error("a UDP datagram too large for IPv4 was framed")
	}
}

func head(b []byte) []byte { return b[:min(len(b), 80)] }

func TestPcapIsGopacketsPcap(t *testing.T) {
	at := time.Unix(1765000000, 123456789)
	packets := [][]byte{make([]byte, 60), bytes.Repeat([]byte{0xab}, 1001)}

	var want bytes.Buffer
	pw := pcapgo.NewWriterNanos(&want)
	if err := pw.WriteFileHeader(snapLen, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	mine := pcapWriter{w: &got}
	if err := mine.writeHeader(snapLen); err != nil {
		t.Fatal(err)
	}
	for i, p := range packets {
		ts := at.Add(time.Duration(i) * time.Second)
		if err := pw.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(p), Length: len(p)}, p); err != nil {
			t.Fatal(err)
		}
		if err := mine.writePacket(ts, p); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("pcap differs from gopacket's\n got %x\nwant %x", got.Bytes(), want.Bytes())
	}
}

func TestPcapngIsGopacketsPcapng(t *testing.T) {
	at := time.Unix(1765000000, 987654321)
	lo := pcapgo.NgInterface{Name: loopback, Description: "loopback, traffic of no link", LinkType: layers.LinkTypeEthernet,
		SnapLength: snapLen, TimestampResolution: 9}
	var want bytes.Buffer
	gw, err := pcapgo.NewNgWriterInterface(&want, lo, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "socklab", Comment: sniffComment}})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	mw, err := newNgWriter(&got, "socklab", sniffComment, ngIface{name: loopback, description: "loopback, traffic of no link", snapLen: snapLen})
	if err != nil {
		t.Fatal(err)
	}
	ifaces := []ngIface{
		{name: "l1 client side", description: "link l1: its client and its front 127.0.0.1:4000", snapLen: snapLen},
		{name: "abc", description: "", snapLen: 1},
		{name: "l1 decisions", description: "what link l1 did to datagrams", snapLen: snapLen},
	}
	for _, i := range ifaces {
		gid, err := gw.AddInterface(pcapgo.NgInterface{Name: i.name, Description: i.description, LinkType: layers.LinkTypeEthernet,
			SnapLength: i.snapLen, TimestampResolution: 9})
		if err != nil {
			t.Fatal(err)
		}
		mid, err := mw.addInterface(i)
		if err != nil {
			t.Fatal(err)
		}
		if gid != mid {
			t.Fatalf("interface %q: id %d, gopacket's %d", i.name, mid, gid)
		}
	}
	packets := []struct {
		iface    int
		data     []byte
		length   int
		comments []string
	}{
		{0, make([]byte, 60), 60, nil},
		{1, bytes.Repeat([]byte{1}, 61), 70000, nil},
		{3, bytes.Repeat([]byte{2}, 62), 62, []string{"link l1 to-server datagram 3 (flow 1): dropped"}},
		{2, bytes.Repeat([]byte{3}, 63), 63, []string{"abcd", "a"}},
	}
	for i, p := range packets {
		ts := at.Add(time.Duration(i) * time.Millisecond)
		ci := gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(p.data), Length: p.length, InterfaceIndex: p.iface}
		if err := gw.WritePacketWithOptions(ci, p.data, pcapgo.NgPacketOptions{Comments: p.comments}); err != nil {
			t.Fatal(err)
		}
		if err := mw.writePacket(p.iface, ts, p.data, p.length, p.comments...); err != nil {
			t.Fatal(err)
		}
	}
	if err := errorsOf(gw.Flush(), mw.flush()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("pcapng differs from gopacket's\n got %x\nwant %x", got.Bytes(), want.Bytes())
	}
	if err := mw.writePacket(4, at, nil, 0); err == nil {
		t.Error("a packet on an interface never described was written")
	}
}

func errorsOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
