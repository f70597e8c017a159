package link

import (
	"net"
	"net/netip"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// stampedReader reads datagrams with the time the kernel received each
// (SO_TIMESTAMPNS): when the relay's goroutine waits for a CPU, the stamp
// still says when the sender's datagram reached the link.
type stampedReader struct {
	c        *net.UDPConn
	stamped  bool
	buf, oob []byte
}

func newStampedReader(c *net.UDPConn) *stampedReader {
	r := &stampedReader{c: c, buf: make([]byte, maxDatagram)}
	if raw, err := c.SyscallConn(); err == nil {
		var serr error
		if err := raw.Control(func(fd uintptr) {
			serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
		}); err == nil && serr == nil {
			r.stamped = true
			r.oob = make([]byte, unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{}))))
		}
	}
	return r
}

// read returns the next datagram (valid until the next read), its sender
// and when it arrived (zero if the kernel did not say).
func (r *stampedReader) read() ([]byte, netip.AddrPort, time.Time, error) {
	if !r.stamped {
		n, from, err := r.c.ReadFromUDPAddrPort(r.buf)
		return r.buf[:n], from, time.Time{}, err
	}
	n, oobn, _, from, err := r.c.ReadMsgUDPAddrPort(r.buf, r.oob)
	if err != nil {
		return nil, from, time.Time{}, err
	}
	return r.buf[:n], from, arrival(r.oob[:oobn]), nil
}

// arrival reads the SCM_TIMESTAMPNS control message; zero without one.
func arrival(oob []byte) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return time.Time{}
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
			return time.Unix(ts.Unix())
		}
	}
	return time.Time{}
}
