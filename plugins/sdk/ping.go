package sdk

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// PingServer is the socket logic of a UDP ping server. Run binds
// cfg.Listen, calls out.Ready with the bound address, echoes until ctx is
// done, then calls out.Summary and returns nil.
type PingServer interface {
	Run(ctx context.Context, cfg *pb.PingServerConfig, out *PingServerEvents) error
}

// PingServerFunc lets a function be a PingServer.
type PingServerFunc func(ctx context.Context, cfg *pb.PingServerConfig, out *PingServerEvents) error

// Run calls f.
func (f PingServerFunc) Run(ctx context.Context, cfg *pb.PingServerConfig, out *PingServerEvents) error {
	return f(ctx, cfg, out)
}

// ServePingServer serves s as the plugin's only role.
func ServePingServer(s PingServer) { Serve(Plugins{PingServer: s}) }

// PingServerEvents sends a ping server's events to the host.
type PingServerEvents struct{ base[*pb.PingServerEvent] }

// NewPingServerEvents returns a sender that hands each event to send: what the
// SDK does with the gRPC stream, and what a unit test does to record them.
func NewPingServerEvents(send func(*pb.PingServerEvent)) *PingServerEvents {
	return &PingServerEvents{base[*pb.PingServerEvent]{send: send, log: func(l *pb.Log) *pb.PingServerEvent {
		return &pb.PingServerEvent{Event: &pb.PingServerEvent_Log{Log: l}}
	}}}
}

// Ready reports the bound address; call it once the socket is bound.
func (e *PingServerEvents) Ready(address string) {
	e.send(&pb.PingServerEvent{Event: &pb.PingServerEvent_Ready{Ready: &pb.Ready{Address: address}}})
}

// Echo reports a datagram answered.
func (e *PingServerEvents) Echo(peer string, request, reply []byte) {
	e.send(&pb.PingServerEvent{Event: &pb.PingServerEvent_Echo{Echo: &pb.PingEcho{Peer: peer, Request: request, Reply: reply}}})
}

// Drop reports a datagram deliberately not answered.
func (e *PingServerEvents) Drop(peer string, request []byte) {
	e.send(&pb.PingServerEvent{Event: &pb.PingServerEvent_Drop{Drop: &pb.PingDrop{Peer: peer, Request: request}}})
}

// Summary reports the totals; call it last.
func (e *PingServerEvents) Summary(s *pb.PingServerSummary) {
	e.send(&pb.PingServerEvent{Event: &pb.PingServerEvent_Summary{Summary: s}})
}

func registerPingServer(impl PingServer) registration {
	return registrar(&pb.PingServer_ServiceDesc, NewPingServerEvents,
		func(evs []*pb.PingServerEvent) *pb.PingServerBatch { return &pb.PingServerBatch{Events: evs} }, impl.Run)
}

// PingClient is the socket logic of a UDP ping client. Run sends cfg.Count
// pings to cfg.Server, reporting each with out.Sent and then out.Reply or
// out.Timeout, ends with out.Summary and returns nil. When ctx is done it
// stops early, still reporting Summary.
type PingClient interface {
	Run(ctx context.Context, cfg *pb.PingClientConfig, out *PingClientEvents) error
}

// PingClientFunc lets a function be a PingClient.
type PingClientFunc func(ctx context.Context, cfg *pb.PingClientConfig, out *PingClientEvents) error

// Run calls f.
func (f PingClientFunc) Run(ctx context.Context, cfg *pb.PingClientConfig, out *PingClientEvents) error {
	return f(ctx, cfg, out)
}

// ServePingClient serves c as the plugin's only role.
func ServePingClient(c PingClient) { Serve(Plugins{PingClient: c}) }

// PingClientEvents sends a ping client's events to the host.
type PingClientEvents struct{ base[*pb.PingClientEvent] }

// NewPingClientEvents returns a sender that hands each event to send: what the
// SDK does with the gRPC stream, and what a unit test does to record them.
func NewPingClientEvents(send func(*pb.PingClientEvent)) *PingClientEvents {
	return &PingClientEvents{base[*pb.PingClientEvent]{send: send, log: func(l *pb.Log) *pb.PingClientEvent {
		return &pb.PingClientEvent{Event: &pb.PingClientEvent_Log{Log: l}}
	}}}
}

// Sent reports ping seq sent at the given time with the given payload;
// the event is dated at.
func (e *PingClientEvents) Sent(seq uint32, at time.Time, payload []byte) {
	t := timestamppb.New(at)
	e.send(&pb.PingClientEvent{Time: t, Event: &pb.PingClientEvent_Sent{Sent: &pb.PingSent{
		Seq: seq, SentAt: t, Payload: payload,
	}}})
}

// Reply reports the reply to ping seq.
func (e *PingClientEvents) Reply(seq uint32, rtt time.Duration, payload []byte, peer string) {
	e.send(&pb.PingClientEvent{Event: &pb.PingClientEvent_Reply{Reply: &pb.PingReply{
		Seq: seq, Rtt: durationpb.New(rtt), Payload: payload, Peer: peer,
	}}})
}

// Timeout reports that ping seq got no reply in time ("Request timed out").
func (e *PingClientEvents) Timeout(seq uint32) {
	e.send(&pb.PingClientEvent{Event: &pb.PingClientEvent_Timeout{Timeout: &pb.PingTimeout{Seq: seq}}})
}

// Late reports a reply to ping seq that came after its timeout.
func (e *PingClientEvents) Late(seq uint32, rtt time.Duration, payload []byte) {
	e.send(&pb.PingClientEvent{Event: &pb.PingClientEvent_Late{Late: &pb.PingLate{
		Seq: seq, Rtt: durationpb.New(rtt), Payload: payload,
	}}})
}

// Summary reports the statistics; call it last.
func (e *PingClientEvents) Summary(s *pb.PingClientSummary) {
	e.send(&pb.PingClientEvent{Event: &pb.PingClientEvent_Summary{Summary: s}})
}

func registerPingClient(impl PingClient) registration {
	return registrar(&pb.PingClient_ServiceDesc, NewPingClientEvents,
		func(evs []*pb.PingClientEvent) *pb.PingClientBatch { return &pb.PingClientBatch{Events: evs} }, impl.Run)
}
