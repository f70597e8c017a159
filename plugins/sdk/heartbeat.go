package sdk

import (
	"context"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// HeartbeatServer is the socket logic of a UDP heartbeat server. Run binds
// cfg.Listen, calls out.Ready, reports heartbeats, loss and down/up until
// ctx is done, then calls out.Summary and returns nil. Build the events of
// heartbeat.proto and send them with out.Send.
type HeartbeatServer interface {
	Run(ctx context.Context, cfg *pb.HeartbeatServerConfig, out *HeartbeatServerEvents) error
}

// HeartbeatServerFunc lets a function be a HeartbeatServer.
type HeartbeatServerFunc func(ctx context.Context, cfg *pb.HeartbeatServerConfig, out *HeartbeatServerEvents) error

// Run calls f.
func (f HeartbeatServerFunc) Run(ctx context.Context, cfg *pb.HeartbeatServerConfig, out *HeartbeatServerEvents) error {
	return f(ctx, cfg, out)
}

// ServeHeartbeatServer serves s as the plugin's only role.
func ServeHeartbeatServer(s HeartbeatServer) { Serve(Plugins{HeartbeatServer: s}) }

// HeartbeatServerEvents sends a heartbeat server's events to the host.
type HeartbeatServerEvents struct{ base[*pb.HeartbeatServerEvent] }

// NewHeartbeatServerEvents returns a sender that hands each event to send: what the
// SDK does with the gRPC stream, and what a unit test does to record them.
func NewHeartbeatServerEvents(send func(*pb.HeartbeatServerEvent)) *HeartbeatServerEvents {
	return &HeartbeatServerEvents{base[*pb.HeartbeatServerEvent]{send: send, log: func(l *pb.Log) *pb.HeartbeatServerEvent {
		return &pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Log{Log: l}}
	}}}
}

// Ready reports the bound address; call it once the socket is bound.
func (e *HeartbeatServerEvents) Ready(address string) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Ready{Ready: &pb.Ready{Address: address}}})
}

// Heartbeat reports one heartbeat with its one-way delay.
func (e *HeartbeatServerEvents) Heartbeat(client, peer string, seq uint64, sentAt time.Time, delay time.Duration) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Heartbeat{Heartbeat: &pb.Heartbeat{
		Client: client, Peer: peer, Seq: seq, SentAt: timestamppb.New(sentAt), Delay: durationpb.New(delay),
	}}})
}

// Lost reports that seqs first..last of client never arrived.
func (e *HeartbeatServerEvents) Lost(client string, first, last uint64) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Lost{Lost: &pb.HeartbeatLost{
		Client: client, FirstSeq: first, LastSeq: last,
	}}})
}

// Duplicate reports heartbeat seq of client heard again; it counts for
// liveness only.
func (e *HeartbeatServerEvents) Duplicate(client string, seq uint64) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Duplicate{Duplicate: &pb.HeartbeatDuplicate{
		Client: client, Seq: seq,
	}}})
}

// Reordered reports heartbeat seq of client arriving after afterSeq,
// within the reorder window; send it after the seq's Heartbeat.
func (e *HeartbeatServerEvents) Reordered(client string, seq, afterSeq uint64) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Reordered{Reordered: &pb.HeartbeatReordered{
		Client: client, Seq: seq, AfterSeq: afterSeq,
	}}})
}

// Restart reports that client started counting again at seq, after
// previousSeq; send it after the previous run's gaps are reported Lost.
func (e *HeartbeatServerEvents) Restart(client string, seq, previousSeq uint64) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Restart{Restart: &pb.HeartbeatRestart{
		Client: client, Seq: seq, PreviousSeq: previousSeq,
	}}})
}

// Malformed reports a datagram from peer that is not a heartbeat, and
// why. payload is cut to its first 256 bytes, as heartbeat.proto says.
func (e *HeartbeatServerEvents) Malformed(peer string, payload []byte, reason string) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Malformed{Malformed: &pb.HeartbeatMalformed{
		Peer: peer, Payload: payload[:min(len(payload), 256):min(len(payload), 256)], Reason: reason,
	}}})
}

// Down reports a client silent for dead_after; the event is dated at.
func (e *HeartbeatServerEvents) Down(client string, lastSeq uint64, lastSeen, at time.Time) {
	e.send(&pb.HeartbeatServerEvent{Time: timestamppb.New(at), Event: &pb.HeartbeatServerEvent_Down{Down: &pb.ClientDown{
		Client: client, LastSeq: lastSeq, LastSeen: timestamppb.New(lastSeen),
	}}})
}

// Up reports a client that was down and sent seq after silentFor.
func (e *HeartbeatServerEvents) Up(client string, seq uint64, silentFor time.Duration) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Up{Up: &pb.ClientUp{
		Client: client, Seq: seq, SilentFor: durationpb.New(silentFor),
	}}})
}

// Summary reports the per-client totals; call it last.
func (e *HeartbeatServerEvents) Summary(s *pb.HeartbeatServerSummary) {
	e.send(&pb.HeartbeatServerEvent{Event: &pb.HeartbeatServerEvent_Summary{Summary: s}})
}

func registerHeartbeatServer(impl HeartbeatServer) registration {
	return registrar(&pb.HeartbeatServer_ServiceDesc, NewHeartbeatServerEvents,
		func(evs []*pb.HeartbeatServerEvent) *pb.HeartbeatServerBatch {
			return &pb.HeartbeatServerBatch{Events: evs}
		}, impl.Run)
}

// HeartbeatClient is the socket logic of a UDP heartbeat client. Run sends
// heartbeats to cfg.Server, reporting each with out.Sent, and ends with
// out.Summary.
type HeartbeatClient interface {
	Run(ctx context.Context, cfg *pb.HeartbeatClientConfig, out *HeartbeatClientEvents) error
}

// HeartbeatClientFunc lets a function be a HeartbeatClient.
type HeartbeatClientFunc func(ctx context.Context, cfg *pb.HeartbeatClientConfig, out *HeartbeatClientEvents) error

// Run calls f.
func (f HeartbeatClientFunc) Run(ctx context.Context, cfg *pb.HeartbeatClientConfig, out *HeartbeatClientEvents) error {
	return f(ctx, cfg, out)
}

// ServeHeartbeatClient serves c as the plugin's only role.
func ServeHeartbeatClient(c HeartbeatClient) { Serve(Plugins{HeartbeatClient: c}) }

// HeartbeatClientEvents sends a heartbeat client's events to the host.
type HeartbeatClientEvents struct{ base[*pb.HeartbeatClientEvent] }

// NewHeartbeatClientEvents returns a sender that hands each event to send: what the
// SDK does with the gRPC stream, and what a unit test does to record them.
func NewHeartbeatClientEvents(send func(*pb.HeartbeatClientEvent)) *HeartbeatClientEvents {
	return &HeartbeatClientEvents{base[*pb.HeartbeatClientEvent]{send: send, log: func(l *pb.Log) *pb.HeartbeatClientEvent {
		return &pb.HeartbeatClientEvent{Event: &pb.HeartbeatClientEvent_Log{Log: l}}
	}}}
}

// Sent reports heartbeat seq sent at the given time with the given payload.
func (e *HeartbeatClientEvents) Sent(seq uint64, at time.Time, payload []byte) {
	t := timestamppb.New(at)
	e.send(&pb.HeartbeatClientEvent{Time: t, Event: &pb.HeartbeatClientEvent_Sent{Sent: &pb.HeartbeatSent{
		Seq: seq, SentAt: t, Payload: payload,
	}}})
}

// Paused reports that the client goes silent for pauseFor.
func (e *HeartbeatClientEvents) Paused(pauseFor time.Duration) {
	e.send(&pb.HeartbeatClientEvent{Event: &pb.HeartbeatClientEvent_Paused{Paused: &pb.HeartbeatPaused{
		PauseFor: durationpb.New(pauseFor),
	}}})
}

// Resumed reports the end of the pause: nextSeq goes out now.
func (e *HeartbeatClientEvents) Resumed(nextSeq uint64) {
	e.send(&pb.HeartbeatClientEvent{Event: &pb.HeartbeatClientEvent_Resumed{Resumed: &pb.HeartbeatResumed{NextSeq: nextSeq}}})
}

// Summary reports the totals; call it last.
func (e *HeartbeatClientEvents) Summary(s *pb.HeartbeatClientSummary) {
	e.send(&pb.HeartbeatClientEvent{Event: &pb.HeartbeatClientEvent_Summary{Summary: s}})
}

func registerHeartbeatClient(impl HeartbeatClient) registration {
	return registrar(&pb.HeartbeatClient_ServiceDesc, NewHeartbeatClientEvents,
		func(evs []*pb.HeartbeatClientEvent) *pb.HeartbeatClientBatch {
			return &pb.HeartbeatClientBatch{Events: evs}
		}, impl.Run)
}
