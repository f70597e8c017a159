package sdk

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/socklab/socklab/proto/roles"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// When the test binary runs with this set, it is a plugin (for the orphan
// test below) instead of a test run.
const beAPlugin = "SDK_TEST_BE_A_PLUGIN"

func TestMain(m *testing.M) {
	if os.Getenv(beAPlugin) != "" {
		ServePingServer(PingServerFunc(func(ctx context.Context, _ *pb.PingServerConfig, _ *PingServerEvents) error {
			<-ctx.Done()
			return nil
		}))
		return
	}
	os.Exit(m.Run())
}

// serveInProcess registers a ping client implementation on a real gRPC
// server over loopback and returns a client for it.
func serveInProcess(t *testing.T, impl PingClient) pb.PingClientClient {
	t.Helper()
	return pb.NewPingClientClient(serveRegistered(t, registerPingClient(impl)))
}

// serveRegistered serves reg on a real gRPC server over loopback and
// returns a connection to it.
func serveRegistered(t *testing.T, reg registration) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	reg.register(s)
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// collect reads a Run stream to its end; batches counts its messages.
func collect(t *testing.T, stream grpc.ServerStreamingClient[pb.PingClientBatch]) (evs []*pb.PingClientEvent, batches int, err error) {
	t.Helper()
	for {
		batch, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return evs, batches, nil
		}
		if err != nil {
			return evs, batches, err
		}
		batches++
		evs = append(evs, batch.Events...)
	}
}

func TestRunStreamsEveryEventInOrderStamped(t *testing.T) {
	const n = 20000 // more than the outbox holds
	c := serveInProcess(t, PingClientFunc(func(ctx context.Context, cfg *pb.PingClientConfig, out *PingClientEvents) error {
		for i := uint32(1); i <= n; i++ {
			out.Timeout(i)
		}
		out.Logf("done with %s", cfg.Server)
		out.Summary(&pb.PingClientSummary{Transmitted: n})
		return nil
	}))
	stream, err := c.Run(context.Background(), &pb.PingClientConfig{Server: "s:1"})
	if err != nil {
		t.Fatal(err)
	}
	evs, batches, err := collect(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != n+2 {
		t.Fatalf("%d events, want %d", len(evs), n+2)
	}
	if batches >= len(evs)/10 {
		t.Errorf("%d events came in %d batches: they are not gathered", len(evs), batches)
	}
	for i, ev := range evs[:n] {
		if ev.GetTimeout().GetSeq() != uint32(i+1) || ev.GetTime() == nil {
			t.Fatalf("event %d is %v", i, ev)
		}
	}
	if evs[n].GetLog().GetMessage() != "done with s:1" || evs[n+1].GetSummary().GetTransmitted() != n {
		t.Fatalf("last events %v, %v", evs[n], evs[n+1])
	}
}

// TestBatchesStayUnderTheMessageLimit: events carrying large payloads are
// split over batches that gRPC's 4 MiB limit accepts.
func TestBatchesStayUnderTheMessageLimit(t *testing.T) {
	payload := make([]byte, 900<<10)
	c := serveInProcess(t, PingClientFunc(func(ctx context.Context, _ *pb.PingClientConfig, out *PingClientEvents) error {
		for i := uint32(1); i <= 20; i++ {
			out.Sent(i, time.Now(), payload)
		}
		return nil
	}))
	stream, err := c.Run(context.Background(), &pb.PingClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	evs, batches, err := collect(t, stream)
	if err != nil || len(evs) != 20 || batches < 5 {
		t.Fatalf("%d events in %d batches: %v", len(evs), batches, err)
	}
}

func TestRunOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		run      PingClientFunc
		stop     bool
		wantCode codes.Code
		wantMsg  string
	}{
		{"returns nil", func(context.Context, *pb.PingClientConfig, *PingClientEvents) error { return nil }, false, codes.OK, ""},
		{"returns an error", func(context.Context, *pb.PingClientConfig, *PingClientEvents) error {
			return errors.New("server unreachable")
		}, false, codes.Unknown, "server unreachable"},
		{"panics", func(context.Context, *pb.PingClientConfig, *PingClientEvents) error {
			panic("socket exploded")
		}, false, codes.Unknown, "panic: socket exploded"},
		{"stopped, returns ctx.Err()", func(ctx context.Context, _ *pb.PingClientConfig, _ *PingClientEvents) error {
			<-ctx.Done()
			return ctx.Err()
		}, true, codes.OK, ""},
		{"sends an event too large for the host, then fails on the cancelled ctx", func(ctx context.Context, _ *pb.PingClientConfig, out *PingClientEvents) error {
			out.Sent(1, time.Now(), make([]byte, hostMessageLimit+1))
			<-ctx.Done()
			return ctx.Err()
		}, false, codes.Aborted, `sending events to host: event "sent" of 671089`},
		{"emits after returning", func(_ context.Context, _ *pb.PingClientConfig, out *PingClientEvents) error {
			go func() {
				for i := 0; i < 100; i++ {
					out.Timeout(1)
				}
			}()
			return nil
		}, false, codes.OK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serveInProcess(t, tt.run)
			stream, err := c.Run(context.Background(), &pb.PingClientConfig{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.stop {
				if _, err := c.Stop(context.Background(), &pb.StopRequest{}); err != nil {
					t.Fatal(err)
				}
			}
			_, _, err = collect(t, stream)
			st, _ := status.FromError(err)
			if st.Code() != tt.wantCode || !strings.Contains(st.Message(), tt.wantMsg) {
				t.Fatalf("status %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestServeRefusesToRunOutsideAHost(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), beAPlugin+"=1")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "is a socklab plugin") {
		t.Fatalf("err %v, output %q", err, out)
	}
}

// TestTextIsValidUTF8WhateverTheAuthorSends: strings that are not UTF-8,
// which gRPC refuses to send, reach the host with the bad bytes escaped;
// bytes fields are left as they are.
func TestTextIsValidUTF8WhateverTheAuthorSends(t *testing.T) {
	c := serveInProcess(t, PingClientFunc(func(ctx context.Context, cfg *pb.PingClientConfig, out *PingClientEvents) error {
		out.Logf("got %s", []byte("caf\xc3"))
		out.Reply(1, time.Millisecond, []byte("\xff"), "peer\xfe")
		out.Summary(&pb.PingClientSummary{Transmitted: 1})
		return nil
	}))
	stream, err := c.Run(context.Background(), &pb.PingClientConfig{})
	if err != nil {
		t.Fatal(err)
	}
	evs, _, err := collect(t, stream)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[0].GetLog().GetMessage() != `got caf\xc3` || evs[1].GetReply().GetPeer() != `peer\xfe` ||
		string(evs[1].GetReply().GetPayload()) != "\xff" || evs[2].GetSummary().GetTransmitted() != 1 {
		t.Fatalf("events %v", evs)
	}
}

// The SDK exports what a plugin author uses and nothing the host alone
// needs (that is internal/goplugin): for each role of the sheet its
// interface, Func adapter, event sender and Serve function, and Serve,
// Plugins and NewRole. A new export is a decision: add it here.
func TestExportsOnlyWhatAuthorsUse(t *testing.T) {
	allowed := map[string]bool{"Serve": true, "Plugins": true, "Role": true, "NewRole": true}
	for _, r := range roles.Sheet().All() {
		n := string(r.Service.Name())
		for _, name := range []string{n, n + "Func", n + "Events", "New" + n + "Events", "Serve" + n} {
			allowed[name] = true
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	exported := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			for _, name := range topLevelNames(decl) {
				if !ast.IsExported(name) {
					continue
				}
				exported++
				if !allowed[name] {
					t.Errorf("%s: plugins/sdk exports %s, which no plugin author uses; put what the host needs in internal/goplugin", fset.Position(decl.Pos()), name)
				}
			}
		}
	}
	if exported < len(allowed)/2 {
		t.Errorf("found %d exported names: is this package sdk?", exported)
	}
}

// topLevelNames are the names a declaration gives at package level
// (methods aside).
func topLevelNames(decl ast.Decl) []string {
	var names []string
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			names = append(names, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, spec := range d.Specs {
			switch s := spec.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, id := range s.Names {
					names = append(names, id.Name)
				}
			}
		}
	}
	return names
}
