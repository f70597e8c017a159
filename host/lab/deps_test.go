package lab

import (
	"os/exec"
	"strings"
	"testing"
)

// Reading a lab file needs neither the links that carry a run's traffic
// nor the capture library: a tool that only validates labs stays small.
func TestParserDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/socklab/socklab/host/link", "github.com/gopacket/", "github.com/hashicorp/go-plugin"} {
			if dep == banned || strings.HasPrefix(dep, banned) {
				t.Errorf("host/lab depends on %s", dep)
			}
		}
	}
}
