package page

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/proto/roles"
)

// syntheticLab is a client and a server, with a link, for traces built
// without running anything.
func syntheticLab() (*lab.Lab, *lab.Component) {
	client := &lab.Component{Name: "client", Role: roles.Role{Name: "ping_client", Side: roles.Client, Transport: "udp"}}
	server := &lab.Component{Name: "server", Role: roles.Role{Name: "ping_server", Side: roles.Server, Transport: "udp"}}
	return &lab.Lab{Path: "lab.hcl", Components: []*lab.Component{server, client}}, client
}

func datagram(c *lab.Component, at time.Time, seq uint64, dir link.Direction, fate link.Fate, payload string) run.Event {
	return run.Event{Component: c, Source: run.FromLink, Time: at, Kind: "link", Link: &link.Event{Time: at, Link: c.Name, Proto: "udp", Dir: dir, Seq: seq,
		Size: len(payload), Fate: fate, Payload: []byte(payload), Server: netip.MustParseAddrPort("127.0.0.1:12000")}}
}

// TestLongRunIsWindowed: a run of thousands of packets draws at most the
// row budget, keeps every drop while the budget lasts, and accounts for
// every packet it leaves out in its gap notes.
func TestLongRunIsWindowed(t *testing.T) {
	l, client := syntheticLab()
	start := time.Unix(1700000000, 0)
	var evs []run.Event
	drops := map[int]bool{700: true, 2500: true, 4999: true}
	for i := range 5000 {
		fate := link.Delivered
		if drops[i] {
			fate = link.Dropped
		}
		evs = append(evs, datagram(client, start.Add(time.Duration(i)*time.Millisecond), uint64(i), link.ToServer, fate, fmt.Sprintf("Ping %d 1700000000.0", i+1)))
	}
	tr := Build(l, nil, evs, nil)
	v := tr.sequence()
	if len(v.Rows) > DefaultMaxRows+50 {
		t.Errorf("%d rows drawn, budget %d", len(v.Rows), DefaultMaxRows)
	}
	lost := 0
	for _, a := range v.Arrows {
		if a.Lost {
			lost++
		}
	}
	if lost != len(drops) {
		t.Errorf("%d drops drawn, want all %d", lost, len(drops))
	}
	omitted := 0
	for _, r := range v.Rows {
		if r.Gap != "" {
			n, err := strconv.Atoi(regexp.MustCompile(`^… (\d+) packets?`).FindStringSubmatch(r.Gap)[1])
			if err != nil {
				t.Fatal(err)
			}
			omitted += n
		}
	}
	if omitted+len(v.Arrows) != 5000 || omitted != v.Omitted {
		t.Errorf("%d drawn + %d in gap notes, of 5000 (Omitted %d)", len(v.Arrows), omitted, v.Omitted)
	}
	if strings.Count(string(v.TableRows), "<tr") != 5000 {
		t.Errorf("the table does not list every packet")
	}
}

// TestHostilePayloadIsText: what a submission sends is shown as text,
// never as markup, and bytes that are not UTF-8 do not break the page.
func TestHostilePayloadIsText(t *testing.T) {
	l, client := syntheticLab()
	at := time.Unix(1700000000, 0)
	evs := []run.Event{
		datagram(client, at, 0, link.ToServer, link.Delivered, "<script>alert(1)</script>\xff\x00"),
		datagram(client, at.Add(time.Millisecond), 1, link.ToServer, link.Delivered, "Ping 2 \"><img src=x onerror=alert(2)>"),
	}
	l.Name = "</title><script>alert(3)</script>"
	var b bytes.Buffer
	if err := Write(&b, Build(l, nil, evs, nil)); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, bad := range []string{"<script>alert", "<img", "\x00", "\xff"} {
		if strings.Contains(html, bad) {
			t.Errorf("the page carries %q raw", bad)
		}
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)") {
		t.Errorf("the hostile payload is not shown escaped")
	}
}
