package sdk

import (
	"context"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// WebServer is the socket logic of a TCP web server. Run listens on
// cfg.Listen, calls out.Ready, serves files under cfg.Root reporting each
// request with out.Request until ctx is done, then calls out.Summary.
type WebServer interface {
	Run(ctx context.Context, cfg *pb.WebServerConfig, out *WebServerEvents) error
}

// WebServerFunc lets a function be a WebServer.
type WebServerFunc func(ctx context.Context, cfg *pb.WebServerConfig, out *WebServerEvents) error

// Run calls f.
func (f WebServerFunc) Run(ctx context.Context, cfg *pb.WebServerConfig, out *WebServerEvents) error {
	return f(ctx, cfg, out)
}

// ServeWebServer serves s as the plugin's only role.
func ServeWebServer(s WebServer) { Serve(Plugins{WebServer: s}) }

// WebServerEvents sends a web server's events to the host.
type WebServerEvents struct{ base[*pb.WebServerEvent] }

// NewWebServerEvents returns a sender that hands each event to send: what the
// SDK does with the gRPC stream, and what a unit test does to record them.
func NewWebServerEvents(send func(*pb.WebServerEvent)) *WebServerEvents {
	return &WebServerEvents{base[*pb.WebServerEvent]{send: send, log: func(l *pb.Log) *pb.WebServerEvent {
		return &pb.WebServerEvent{Event: &pb.WebServerEvent_Log{Log: l}}
	}}}
}

// Ready reports the listening address; call it once listening.
func (e *WebServerEvents) Ready(address string) {
	e.send(&pb.WebServerEvent{Event: &pb.WebServerEvent_Ready{Ready: &pb.Ready{Address: address}}})
}

// Request reports one request answered or refused.
func (e *WebServerEvents) Request(r *pb.WebRequest) {
	e.send(&pb.WebServerEvent{Event: &pb.WebServerEvent_Request{Request: r}})
}

// Summary reports the totals; call it last.
func (e *WebServerEvents) Summary(s *pb.WebServerSummary) {
	e.send(&pb.WebServerEvent{Event: &pb.WebServerEvent_Summary{Summary: s}})
}

func registerWebServer(impl WebServer) registration {
	return registrar(&pb.WebServer_ServiceDesc, NewWebServerEvents,
		func(evs []*pb.WebServerEvent) *pb.WebServerBatch { return &pb.WebServerBatch{Events: evs} }, impl.Run)
}

// WebClient is the socket logic of the sheet's HTTP client. Run fetches
// each of cfg.Paths from cfg.Server, reporting each with out.Response, and
// ends with out.Summary.
type WebClient interface {
	Run(ctx context.Context, cfg *pb.WebClientConfig, out *WebClientEvents) error
}

// WebClientFunc lets a function be a WebClient.
type WebClientFunc func(ctx context.Context, cfg *pb.WebClientConfig, out *WebClientEvents) error

// Run calls f.
func (f WebClientFunc) Run(ctx context.Context, cfg *pb.WebClientConfig, out *WebClientEvents) error {
	return f(ctx, cfg, out)
}

// ServeWebClient serves c as the plugin's only role.
func ServeWebClient(c WebClient) { Serve(Plugins{WebClient: c}) }

// WebClientEvents sends a web client's events to the host.
type WebClientEvents struct{ base[*pb.WebClientEvent] }

// NewWebClientEvents returns a sender that hands each event to send: what the
// SDK does with the gRPC stream, and what a unit test does to record them.
func NewWebClientEvents(send func(*pb.WebClientEvent)) *WebClientEvents {
	return &WebClientEvents{base[*pb.WebClientEvent]{send: send, log: func(l *pb.Log) *pb.WebClientEvent {
		return &pb.WebClientEvent{Event: &pb.WebClientEvent_Log{Log: l}}
	}}}
}

// Response reports what the server answered for one path.
func (e *WebClientEvents) Response(r *pb.WebResponse) {
	e.send(&pb.WebClientEvent{Event: &pb.WebClientEvent_Response{Response: r}})
}

// Summary reports the totals; call it last.
func (e *WebClientEvents) Summary(s *pb.WebClientSummary) {
	e.send(&pb.WebClientEvent{Event: &pb.WebClientEvent_Summary{Summary: s}})
}

func registerWebClient(impl WebClient) registration {
	return registrar(&pb.WebClient_ServiceDesc, NewWebClientEvents,
		func(evs []*pb.WebClientEvent) *pb.WebClientBatch { return &pb.WebClientBatch{Events: evs} }, impl.Run)
}
