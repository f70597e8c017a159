// Command heartbeat-client is the skeleton of the UDP Heartbeat client (the
// lab sheet's optional exercise 2) as a socklab plugin. Complete the code at
// the places marked "Fill in start" and "Fill in end". It compiles as
// handed out, but does not work yet.
//
// The client sends cfg.Count heartbeats (10) to cfg.Server, one every
// cfg.Interval (1 s). Each is the datagram "Heartbeat <seq> <time>": seq
// counts from 1, time is the send time in Unix seconds. The server never
// answers.
package main

import (
	"context"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

type client struct{}

func (client) Run(ctx context.Context, cfg *pb.HeartbeatClientConfig, out *sdk.HeartbeatClientEvents) error {
	start := time.Now()
	sent := 0
	// Open a UDP socket, then for each seq from 1 to cfg.Count: send the
	// heartbeat, report it with out.Send(&pb.HeartbeatClientEvent{...}),
	// and wait until the next one is due (cfg.Interval.AsDuration()), or
	// stop when ctx is done.
	// Fill in start
	// Fill in end
	out.Send(&pb.HeartbeatClientEvent{Event: &pb.HeartbeatClientEvent_Summary{Summary: &pb.HeartbeatClientSummary{
		Sent: uint64(sent), Duration: durationpb.New(time.Since(start)),
	}}})
	return nil
}

func main() {
	sdk.ServeHeartbeatClient(client{})
}
