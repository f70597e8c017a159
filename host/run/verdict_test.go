package run

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func TestJudges(t *testing.T) {
	sent := func(n uint64) link.DirSummary { return link.DirSummary{Packets: n, Delivered: n} }
	fetchFailed := &evidence{}
	fetchFailed.note(roles.WebClient(), "response", &pb.WebResponse{Path: "/a.html", Error: "connection refused"})
	fetchFailed.note(roles.WebClient(), "response", &pb.WebResponse{Path: "/b.html", StatusLine: "HTTP/1.1 404 Not Found", Status: 404})
	notFound := &evidence{}
	notFound.note(roles.WebClient(), "response", &pb.WebResponse{Path: "/b.html", StatusLine: "HTTP/1.1 404 Not Found", Status: 404})
	tests := []struct {
		name, role string
		e          *evidence
		summary    proto.Message
		want       string // "" for success
	}{
		{"pings answered", "ping_client", &evidence{hasLink: true, toServer: sent(3)}, &pb.PingClientSummary{Transmitted: 3, Received: 2}, ""},
		{"no ping sent", "ping_client", &evidence{hasLink: true}, &pb.PingClientSummary{}, "sent no ping"},
		{"no reply at all", "ping_client", &evidence{hasLink: true, toServer: sent(3)}, &pb.PingClientSummary{Transmitted: 3}, ""},
		{"plain client sent nothing", "ping_client", &evidence{hasLink: true}, nil, "its link carried no datagram"},
		{"plain client, no link", "ping_client", &evidence{}, nil, ""},
		{"heartbeats sent", "heartbeat_client", &evidence{hasLink: true, toServer: sent(5)}, &pb.HeartbeatClientSummary{Sent: 5}, ""},
		{"no heartbeat sent", "heartbeat_client", &evidence{hasLink: true}, &pb.HeartbeatClientSummary{}, "sent no heartbeat"},
		{"fetch failed", "web_client", fetchFailed, &pb.WebClientSummary{Requests: 2, Failed: 2}, "1 of its fetches got no response (/a.html: connection refused)"},
		{"404 is an answer", "web_client", notFound, &pb.WebClientSummary{Requests: 1, Failed: 1}, ""},
		{"no request", "web_client", &evidence{}, &pb.WebClientSummary{}, "made no request"},
		{"server heard its pings", "ping_server", &evidence{hasLink: true, toServer: sent(3)}, &pb.PingServerSummary{Received: 3}, ""},
		{"server deaf", "ping_server", &evidence{hasLink: true, toServer: sent(3)}, &pb.PingServerSummary{}, "delivered 3 datagram(s) to it"},
		{"server sent nothing", "ping_server", &evidence{hasLink: true, toServer: link.DirSummary{Packets: 2, Dropped: 2}}, &pb.PingServerSummary{}, ""},
		{"server without link", "ping_server", &evidence{}, &pb.PingServerSummary{}, ""},
		{"plain server silent", "ping_server", &evidence{hasLink: true, toServer: sent(4)}, nil, ""},
		{"plain web server answered", "web_server", &evidence{hasLink: true, toServer: sent(4), back: sent(2)}, nil, ""},
		{"plain web server mute", "web_server", &evidence{hasLink: true, toServer: sent(4)}, nil, "answered nothing"},
		{"heartbeat server deaf", "heartbeat_server", &evidence{hasLink: true, toServer: sent(32)}, &pb.HeartbeatServerSummary{}, "delivered 32"},
		{"heartbeat server heard", "heartbeat_server", &evidence{hasLink: true, toServer: sent(32)},
			&pb.HeartbeatServerSummary{Clients: []*pb.HeartbeatClientTotals{{Client: "a", Received: 30, Lost: 2}}}, ""},
		{"web server deaf", "web_server", &evidence{hasLink: true, toServer: sent(2)}, &pb.WebServerSummary{}, "0 requests on 0 connections"},
		{"web server connected", "web_server", &evidence{hasLink: true, toServer: sent(2)}, &pb.WebServerSummary{Connections: 1}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.e.summary = tt.summary
			role, ok := roles.Sheet().Lookup(tt.role)
			if !ok {
				t.Fatalf("no role %q", tt.role)
			}
			err := tt.e.verdict(role)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("failed: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("verdict %v, want %q", err, tt.want)
			}
		})
	}
}

// TestRunNotRun: a client whose server failed to start is "not run", with
// the cause, and the run is not OK.
func TestRunNotRun(t *testing.T) {
	l := loadLab(t, pingLabWith("3"))
	l.Components[0].Plugin = lab.PluginSpec{From: lab.Command, Command: []string{"/bin/true"}, WorkDir: t.TempDir(), StartTimeout: 5 * time.Second}
	res, _ := runLab(t, context.Background(), l)
	client := res.Components[1]
	if res.OK() || client.Status() != NotRun || client.Err != nil {
		t.Fatalf("ok %v, client %v (%v)", res.OK(), client.Status(), client.Failure())
	}
	if !strings.Contains(client.Failure().Error(), "not run: ping_server.server failed first") {
		t.Errorf("cause %q", client.Failure())
	}
	if res.Components[0].Status() != Failed {
		t.Errorf("server %v", res.Components[0].Status())
	}
}

// TestRunJudgesEveryComponent: a run that went well has every verdict ok.
func TestRunJudgesEveryComponent(t *testing.T) {
	res, _ := runLab(t, context.Background(), loadLab(t, pingLabWith("5")))
	for _, c := range res.Components {
		if c.Status() != OK || c.Verdict != nil || c.NotRun != nil {
			t.Errorf("%s: %v %v", c.Component, c.Status(), c.Failure())
		}
	}
}

// TestVerdictOfARoleWithoutVerdictFacts: a role brought from outside, with
// no Verdict of its own, is still judged by its links: a client whose link
// carried nothing is no success.
func TestVerdictOfARoleWithoutVerdictFacts(t *testing.T) {
	client := roles.Role{Name: "toy_client", Side: roles.Client, Transport: roles.UDP}
	server := roles.Role{Name: "toy_server", Side: roles.Server, Transport: roles.UDP}
	tests := []struct {
		name string
		role roles.Role
		e    *evidence
		want string
	}{
		{"client sent nothing", client, &evidence{hasLink: true}, "its link carried no datagram"},
		{"client sent", client, &evidence{hasLink: true, toServer: link.DirSummary{Packets: 1, Delivered: 1}}, ""},
		{"server with a Summary", server, &evidence{hasLink: true, toServer: link.DirSummary{Packets: 1, Delivered: 1}, summary: &pb.Log{}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.e.verdict(tt.role)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("failed: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("verdict %v, want %q", err, tt.want)
			}
		})
	}
}
