package roles

import (
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// HeartbeatServer is the UDP Heartbeat's monitor: it reports lost
// heartbeats and clients that went down or came back.
func HeartbeatServer() Role {
	return Role{
		Name:    "heartbeat_server",
		Side:    Server,
		Service: pb.File_socklab_v1_heartbeat_proto.Services().ByName("HeartbeatServer"),
		Defaults: func() proto.Message {
			return &pb.HeartbeatServerConfig{
				Listen:           "127.0.0.1:12000",
				DeadAfter:        durationpb.New(3 * time.Second),
				ReorderWindow:    durationpb.New(time.Second),
				ReportHeartbeats: true,
				MaxClients:       1000,
				SummaryClients:   100,
			}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.HeartbeatServerConfig)
			return collect(positive("dead_after", c.DeadAfter), atLeastOne("max_clients", uint64(c.MaxClients)))
		},
		Transport:    UDP,
		AddressField: "listen",
		Plain: Plain{ // the lab sheet's program
			Address: "127.0.0.1:12000",
			Words:   []string{"server", "heartbeat"},
		},
		// The sheet's server prints only losses and silences.
		Verdict: Verdict{Idle: func(m proto.Message) (string, bool) {
			s, ok := m.(*pb.HeartbeatServerSummary)
			n := s.GetMalformed()
			for _, c := range s.GetClients() {
				n += c.GetReceived() + c.GetLost()
			}
			return "no heartbeat", ok && n == 0
		}},
	}
}

// HeartbeatClient is the UDP Heartbeat's client: it beats at an interval.
func HeartbeatClient() Role {
	return Role{
		Name:    "heartbeat_client",
		Side:    Client,
		Service: pb.File_socklab_v1_heartbeat_proto.Services().ByName("HeartbeatClient"),
		Defaults: func() proto.Message {
			zero := durationpb.New(0)
			return &pb.HeartbeatClientConfig{
				Interval: durationpb.New(time.Second), Count: 10,
				Duration: zero, PauseAfter: zero, PauseFor: zero, StopAfter: zero,
			}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.HeartbeatClientConfig)
			return collect(positive("interval", c.Interval))
		},
		Transport:    UDP,
		AddressField: "server",
		Required:     []string{"server"},
		Plain: Plain{ // the lab sheet's program
			Address: "127.0.0.1:12000",
			Words:   []string{"client", "heartbeat"},
		},
		Verdict: Verdict{Idle: func(m proto.Message) (string, bool) {
			s, ok := m.(*pb.HeartbeatClientSummary)
			return "sent no heartbeat: its Summary says 0 sent", ok && s.GetSent() == 0
		}},
	}
}
