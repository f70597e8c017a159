package web

import (
	"strings"
	"testing"
)

// TestEscapeReason: a refused escape says why, for the student reading the
// events.
func TestEscapeReason(t *testing.T) {
	ts := startServer(t, serverConfig(testRoot(t)))
	dial(t, ts.addr).roundTrip("GET", get("/dir-out/secret.txt"))
	if r := ts.waitRequests(t, 1)[0]; r.Status != 404 || !strings.Contains(r.Reason, "out of the document root") {
		t.Errorf("request %v", r)
	}
}
