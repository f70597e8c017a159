// Package isolate keeps submissions graded side by side apart: each
// scenario's child check in a network namespace of its own (or a user
// namespace's), its processes killed with it; and, with a Sandbox, the
// component under test and its Go build confined by host/sandbox.
package isolate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/socklab/socklab/host/sandbox"
)

// Isolation is how submissions graded side by side are kept apart.
type Isolation string

const (
	// NetNS: each submission's check runs in a network namespace of its
	// own (needs CAP_SYS_ADMIN, as root has).
	NetNS Isolation = "netns"
	// UserNS: a user namespace owning a network namespace, for users
	// allowed unprivileged user namespaces.
	UserNS Isolation = "userns"
	// None: the host's network, one submission at a time.
	None Isolation = "none"
)

// SysProcAttr starts a process isolated as i: in its own process group,
// killed with its parent, and in new namespaces.
func (i Isolation) SysProcAttr() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	switch i {
	case NetNS:
		attr.Cloneflags = syscall.CLONE_NEWNET
	case UserNS:
		attr.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
		if os.Getuid() == 0 {
			// Root maps nobody as well, so that the sandbox can drop its
			// program to it; without it the program would be the
			// namespace's root, the host's.
			nobody := syscall.SysProcIDMap{ContainerID: sandbox.Nobody, HostID: sandbox.Nobody, Size: 1}
			attr.UidMappings = append(attr.UidMappings, nobody)
			attr.GidMappings = append(attr.GidMappings, nobody)
			attr.GidMappingsEnableSetgroups = true
		}
	}
	return attr
}

// ChooseIsolation finds the strongest isolation that works here: it runs
// exe with probeArgs (which must bring the loopback up and exit 0) in a
// network namespace, then in a user namespace's, and returns None with the
// reason when neither can be made.
func ChooseIsolation(exe string, probeArgs []string) (Isolation, error) {
	var errs []error
	for _, i := range []Isolation{NetNS, UserNS} {
		cmd := exec.Command(exe, probeArgs...)
		cmd.SysProcAttr = i.SysProcAttr()
		out, err := cmd.CombinedOutput()
		if err == nil {
			return i, nil
		}
		errs = append(errs, fmt.Errorf("%s: %v %s", i, err, out))
	}
	return None, errors.Join(errs...)
}

// AllowLowPorts lets any user bind ports below 1024 in the calling
// process's network namespace, which holds only one scenario: a sandboxed
// program runs as nobody, and the sheet's web server may well bind port 80.
// Best effort: where the sysctl is missing or may not be written, a port
// below 1024 stays root's and the program says so when it fails to bind.
func AllowLowPorts() {
	_ = os.WriteFile("/proc/sys/net/ipv4/ip_unprivileged_port_start", []byte("0\n"), 0)
}

// LoopbackUp brings the network namespace's loopback interface up, as a
// new namespace has it down, with the SIOCSIFFLAGS ioctl.
func LoopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback: reading its flags: %w", err)
	}
	flags := ifr.Uint16()
	if flags&unix.IFF_UP != 0 {
		return nil
	}
	ifr.SetUint16(flags | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback: bringing it up: %w", err)
	}
	return nil
}

// netNamespace names the network namespace of process pid, like
// "net:[4026532281]".
func netNamespace(pid int) (string, error) {
	return os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
}

// pinNetNamespace names the network namespace of process pid and holds
// it open: while it is held, the kernel gives its number (which it reuses
// at once) to no other namespace, such as a scenario's started meanwhile,
// whose processes killNamespace would take for this one's leftovers.
func pinNetNamespace(pid int) (string, io.Closer) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		return "", nil
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return "", nil
	}
	return fmt.Sprintf("net:[%d]", st.Ino), f
}

// killNamespace kills every process left in network namespace ns: what a
// submission started and did not take with it.
func killNamespace(ns string) int {
	own, _ := netNamespace(os.Getpid())
	if ns == "" || ns == own {
		return 0
	}
	killed := 0
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if got, err := os.Readlink(filepath.Join("/proc", e.Name(), "ns/net")); err == nil && got == ns {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
	}
	return killed
}

// AddLocalAddress gives the loopback interface of the network namespace
// the address ip (IPv4), as `ip addr add IP/32 dev lo` would, with an
// RTM_NEWADDR netlink request: a program that binds or sends to a lab
// machine's address it hard-codes then finds it here.
func AddLocalAddress(ip netip.Addr) error {
	if !ip.Is4() {
		return fmt.Errorf("adding %s: only IPv4 addresses", ip)
	}
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		return fmt.Errorf("adding %s: %w", ip, err)
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("adding %s: netlink socket: %w", ip, err)
	}
	defer unix.Close(fd)
	// nlmsghdr, ifaddrmsg, then the attributes IFA_LOCAL and IFA_ADDRESS.
	const hdr, ifa, attr = unix.SizeofNlMsghdr, unix.SizeofIfAddrmsg, 8
	msg := make([]byte, hdr+ifa+2*attr)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.RTM_NEWADDR)
	ne.PutUint16(msg[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	ne.PutUint32(msg[8:], 1)
	msg[hdr] = unix.AF_INET
	msg[hdr+1] = 32
	ne.PutUint32(msg[hdr+4:], uint32(lo.Index))
	a4 := ip.As4()
	for i, typ := range []uint16{unix.IFA_LOCAL, unix.IFA_ADDRESS} {
		off := hdr + ifa + i*attr
		ne.PutUint16(msg[off:], attr)
		ne.PutUint16(msg[off+2:], typ)
		copy(msg[off+4:], a4[:])
	}
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return fmt.Errorf("adding %s: %w", ip, err)
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil {
		return fmt.Errorf("adding %s: reading the answer: %w", ip, err)
	}
	msgs, err := syscall.ParseNetlinkMessage(buf[:n])
	if err != nil {
		return fmt.Errorf("adding %s: %w", ip, err)
	}
	for _, m := range msgs {
		if m.Header.Type == unix.NLMSG_ERROR && len(m.Data) >= 4 {
			if code := int32(ne.Uint32(m.Data)); code != 0 {
				return fmt.Errorf("adding %s to lo: %w", ip, syscall.Errno(-code))
			}
		}
	}
	return nil
}
