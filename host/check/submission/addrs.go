package submission

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/internal/lazy"
)

// ipv4Literal is a dotted-quad address written in quotes, as a program
// hard-codes its server's or its own address.
var ipv4Literal = lazy.Regexp(`["'](\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})["']`)

// HardCodedAddrs returns the IPv4 addresses a plain program's source
// hard-codes that are not on a fresh namespace's loopback (a lab
// machine's, like "10.0.2.15"), in the order written.
func HardCodedAddrs(sub Submission) []netip.Addr {
	if sub.Spec.From != lab.Plain {
		return nil
	}
	var out []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, arg := range sub.Spec.Command {
		path := arg
		if !filepath.IsAbs(path) {
			path = filepath.Join(sub.Dir, path)
		}
		st, err := os.Stat(path)
		if err != nil || !st.Mode().IsRegular() || st.Size() > 1<<20 {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil || bytes.IndexByte(src[:min(len(src), 512)], 0) >= 0 {
			continue // not a source file: the interpreter, a binary
		}
		for _, m := range ipv4Literal().FindAllSubmatch(src, -1) {
			ip, err := netip.ParseAddr(string(m[1]))
			if err != nil || ip.IsLoopback() || ip.IsUnspecified() || ip.IsMulticast() || ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || seen[ip] {
				continue
			}
			seen[ip] = true
			out = append(out, ip)
		}
	}
	return out
}
