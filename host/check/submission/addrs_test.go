package submission

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/socklab/socklab/host/lab"
)

// TestHardCodedAddrs: the lab machines' IPv4 addresses a plain program
// writes in quotes are found, not loopback, wildcard or broadcast ones.
func TestHardCodedAddrs(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"serverName = '10.0.2.15'\nclientSocket.sendto(m, (serverName, 12000))\n", "[10.0.2.15]"},
		{`s.bind(("192.168.1.20", 6789)); print("from 10.0.0.1")`, "[192.168.1.20]"},
		{"addr = ('127.0.0.1', 12000)\nsrv.bind(('0.0.0.0', 80))\nb = '255.255.255.255'\n", "[]"},
		{"host = \"10.1.1.1\"\nother = '10.1.1.1'\n", "[10.1.1.1]"},
		{"version = '1.2.3.4.5'\n", "[]"},
	}
	dir := t.TempDir()
	for i, tt := range tests {
		path := filepath.Join(dir, fmt.Sprintf("p%d.py", i))
		if err := os.WriteFile(path, []byte(tt.src), 0o644); err != nil {
			t.Fatal(err)
		}
		sub := Submission{Dir: dir, Spec: lab.PluginSpec{From: lab.Plain, Command: []string{"/usr/bin/python3", path}}}
		if got := fmt.Sprint(HardCodedAddrs(sub)); got != tt.want {
			t.Errorf("%q: %s, want %s", tt.src, got, tt.want)
		}
	}
}
