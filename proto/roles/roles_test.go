package roles

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// TestCatalogue checks each role against its proto: the fields the catalogue
// names exist, the defaults pass the checks, and the events have what the
// host relies on.
func TestCatalogue(t *testing.T) {
	for _, r := range Sheet().All() {
		t.Run(r.Name, func(t *testing.T) {
			cfg := r.Defaults()
			if cfg.ProtoReflect().Descriptor() != r.Config() {
				t.Fatalf("Defaults returns %s, Run takes %s", cfg.ProtoReflect().Descriptor().FullName(), r.Config().FullName())
			}
			fields := append([]string{r.AddressField}, r.Required...)
			for _, f := range append(fields, r.PathFields...) {
				if r.Config().Fields().ByName(protoreflect.Name(f)) == nil {
					t.Errorf("field %q named by the catalogue is not in %s", f, r.Config().FullName())
				}
			}
			if errs := r.Check(cfg); len(errs) != 0 {
				t.Errorf("defaults fail their own checks: %v", errs)
			}
			batch := r.NewBatch()
			if evs := Events(batch); len(evs) != 0 {
				t.Errorf("empty batch has %d events", len(evs))
			}
			if r.NewEvent().ProtoReflect().Descriptor().Fields().ByName(timeField) == nil {
				t.Errorf("event %T has no time", r.NewEvent())
			}
			kinds := r.EventKinds()
			want := []string{"log", "summary"}
			if r.Side == Server {
				want = append(want, "ready")
			}
			for _, k := range want {
				if !slices.Contains(kinds, k) {
					t.Errorf("events lack %q: %v", k, kinds)
				}
			}
			if r.Transport != "udp" && r.Transport != "tcp" {
				t.Errorf("transport %q", r.Transport)
			}
			if r.Service.Methods().ByName("Stop") == nil {
				t.Errorf("service %s has no Stop", r.Service.FullName())
			}
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
		side Side
	}{
		{"ping_server", true, Server},
		{"ping_client", true, Client},
		{"web_server", true, Server},
		{"pingserver", false, 0},
	}
	for _, tt := range tests {
		r, ok := Sheet().Lookup(tt.name)
		if ok != tt.ok || r.Side != tt.side {
			t.Errorf("Sheet().Lookup(%q) = %v, %v; want side %v, %v", tt.name, r.Side, ok, tt.side, tt.ok)
		}
	}
}

func TestChecks(t *testing.T) {
	tests := []struct {
		name  string
		role  string
		cfg   proto.Message
		field string
	}{
		{"drop rate above 1", "ping_server", &pb.PingServerConfig{Listen: "x:1", DropRate: 1.5}, "drop_rate"},
		{"negative drop rate", "ping_server", &pb.PingServerConfig{Listen: "x:1", DropRate: -0.1}, "drop_rate"},
		{"no pings", "ping_client", mustDefaults(t, "ping_client", func(m proto.Message) { m.(*pb.PingClientConfig).Count = 0 }), "count"},
		{"no paths", "web_client", mustDefaults(t, "web_client", func(m proto.Message) { m.(*pb.WebClientConfig).Paths = nil }), "paths"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := Sheet().Lookup(tt.role)
			errs := r.Check(tt.cfg)
			if len(errs) != 1 || errs[0].Field != tt.field {
				t.Fatalf("Check = %v, want one error on %q", errs, tt.field)
			}
		})
	}
}

func TestEventsOfABatch(t *testing.T) {
	batch := &pb.PingClientBatch{Events: []*pb.PingClientEvent{
		{Event: &pb.PingClientEvent_Timeout{Timeout: &pb.PingTimeout{Seq: 1}}},
		{Event: &pb.PingClientEvent_Timeout{Timeout: &pb.PingTimeout{Seq: 2}}},
	}}
	evs := Events(batch)
	if len(evs) != 2 || evs[1].(*pb.PingClientEvent).GetTimeout().GetSeq() != 2 {
		t.Fatalf("Events = %v", evs)
	}
}

func TestUnpackAndStamp(t *testing.T) {
	ev := &pb.PingClientEvent{Event: &pb.PingClientEvent_Timeout{Timeout: &pb.PingTimeout{Seq: 3}}}
	at := time.Unix(1764147583, 5000).UTC()
	Stamp(ev, at)
	Stamp(ev, at.Add(time.Hour)) // already set: unchanged
	kind, body, got := Unpack(ev)
	if kind != "timeout" || body.(*pb.PingTimeout).GetSeq() != 3 || !got.Equal(at) {
		t.Fatalf("Unpack = %q, %v, %v", kind, body, got)
	}
	if kind, body, _ := Unpack(&pb.PingClientEvent{}); kind != "" || body != nil {
		t.Fatalf("empty event unpacked as %q, %v", kind, body)
	}
}

func mustDefaults(t *testing.T, role string, edit func(proto.Message)) proto.Message {
	t.Helper()
	r, ok := Sheet().Lookup(role)
	if !ok {
		t.Fatalf("no role %q", role)
	}
	m := r.Defaults()
	edit(m)
	return m
}

// TestPeers: each role's peer is a role of the other kind whose peer it is.
func TestPeers(t *testing.T) {
	for _, r := range Sheet().All() {
		p, ok := Sheet().Lookup(r.Peer())
		switch {
		case !ok:
			t.Errorf("%s: peer %q is no role", r.Name, r.Peer())
		case p.Side == r.Side || p.Peer() != r.Name || p.Transport != r.Transport:
			t.Errorf("%s and %s are no pair", r.Name, p.Name)
		}
	}
}

// TestIdleSummaries: each sheet role's Verdict.Idle calls an empty Summary
// of its own type idle, in words, and leaves any other message alone.
func TestIdleSummaries(t *testing.T) {
	for _, r := range Sheet().All() {
		t.Run(r.Name, func(t *testing.T) {
			ev := r.NewEvent().ProtoReflect()
			empty := ev.NewField(ev.Descriptor().Fields().ByName("summary")).Message().Interface()
			if said, idle := r.Verdict.Idle(empty); !idle || said == "" {
				t.Errorf("an empty Summary: idle %v, %q", idle, said)
			}
			if _, idle := r.Verdict.Idle(&pb.Log{}); idle {
				t.Error("a message of another type is called idle")
			}
		})
	}
}

// Every sheet role's event has Stamp generated (protoc-gen-socklab), and
// it does what the reflective Stamp does.
func TestGeneratedStampIsReflectiveStamp(t *testing.T) {
	at := time.Unix(1764147583, 5000).UTC()
	for _, r := range Sheet().All() {
		ev := r.NewEvent()
		if _, ok := ev.(generatedStamp); !ok {
			t.Errorf("%s: its event has no generated Stamp: a plugin would stamp it by reflection", r.Name)
			continue
		}
		want := r.NewEvent()
		stampByReflection(want, at)
		Stamp(ev, at)
		if !proto.Equal(ev, want) {
			t.Errorf("%s: stamped %v, want %v", r.Name, ev, want)
		}
		stampByReflection(want, at.Add(time.Hour))
		Stamp(ev, at.Add(time.Hour)) // already set: unchanged
		if _, _, got := Unpack(ev); !got.Equal(at) || !proto.Equal(ev, want) {
			t.Errorf("%s: stamped twice, dated %v (%v), want %v (%v)", r.Name, got, ev, at, want)
		}
	}
}
