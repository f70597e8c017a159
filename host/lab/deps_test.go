package lab

import (
	"testing"

	"github.com/socklab/socklab/internal/gofiles"
)

// Reading a lab file needs neither the links that carry a run's traffic
// nor the capture library: a tool that only validates labs stays small.
func TestParserDependencies(t *testing.T) {
	found, err := gofiles.DepsAmong(".", "github.com/socklab/socklab/host/link", "github.com/gopacket", "github.com/hashicorp/go-plugin")
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range found {
		t.Errorf("host/lab depends on %s", dep)
	}
}
