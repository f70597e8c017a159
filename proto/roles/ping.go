package roles

import (
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// PingServer is the UDP Pinger's server: it echoes pings upper-cased and
// drops some.
func PingServer() Role {
	return Role{
		Name:    "ping_server",
		Side:    Server,
		Service: pb.File_socklab_v1_ping_proto.Services().ByName("PingServer"),
		Defaults: func() proto.Message {
			return &pb.PingServerConfig{Listen: "127.0.0.1:12000", DropRate: 4.0 / 11.0}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.PingServerConfig)
			return collect(fraction("drop_rate", c.DropRate))
		},
		Transport:    UDP,
		AddressField: "listen",
		Plain: Plain{ // the lab sheet's program
			Address: "127.0.0.1:12000",
			Words:   []string{"server", "ping"},
		},
		// The sheet's server prints nothing, and may drop every ping.
		Verdict: Verdict{Idle: func(m proto.Message) (string, bool) {
			s, ok := m.(*pb.PingServerSummary)
			return "received 0", ok && s.GetReceived() == 0
		}},
	}
}

// PingClient is the UDP Pinger's client: it sends pings and reports
// round trips and the statistics of the standard ping.
func PingClient() Role {
	return Role{
		Name:    "ping_client",
		Side:    Client,
		Service: pb.File_socklab_v1_ping_proto.Services().ByName("PingClient"),
		Defaults: func() proto.Message {
			return &pb.PingClientConfig{Count: 10, Timeout: durationpb.New(time.Second), Interval: durationpb.New(0)}
		},
		Check: func(m proto.Message) []FieldError {
			c := m.(*pb.PingClientConfig)
			return collect(
				atLeastOne("count", uint64(c.Count)),
				positive("timeout", c.Timeout),
			)
		},
		Transport:    UDP,
		AddressField: "server",
		Required:     []string{"server"},
		Plain: Plain{ // the lab sheet's program
			Address: "127.0.0.1:12000",
			Words:   []string{"client", "ping"},
		},
		// No reply at all is no failure of the client: the server or the
		// link may lose every ping, and the client says so.
		Verdict: Verdict{Idle: func(m proto.Message) (string, bool) {
			s, ok := m.(*pb.PingClientSummary)
			return "sent no ping: its Summary says 0 packets transmitted", ok && s.GetTransmitted() == 0
		}},
	}
}
