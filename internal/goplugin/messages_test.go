package goplugin

import (
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/socklab/socklab/internal/prototest"
)

// Every message of proto/socklab/v1 has generated code, and it agrees with
// protobuf's reflection: the same size, bytes the other side reads back
// to an equal message, and the same equality.
func TestGeneratedCodeIsProtobufs(t *testing.T) {
	codec := NewCodec()
	for _, mt := range prototest.Messages() {
		md := mt.Descriptor()
		if _, ok := mt.New().Interface().(generated); !ok {
			t.Errorf("%s has no generated code: a plugin would handle it by reflection", md.FullName())
			continue
		}
		for v := range prototest.Variants(md) {
			m := mt.New()
			prototest.Fill(m, v, 3, func() string { return "text" })
			msg := m.Interface()
			name := string(md.FullName())
			if got, want := Size(msg), proto.Size(msg); got != want {
				t.Errorf("%s, variant %d: Size %d, proto.Size %d", name, v, got, want)
			}
			wire, err := codec.Marshal(msg)
			if err != nil {
				t.Fatalf("%s: Marshal: %v", name, err)
			}
			back := mt.New().Interface()
			if err := proto.Unmarshal(wire.Materialize(), back); err != nil || !proto.Equal(back, msg) {
				t.Errorf("%s, variant %d: the codec's bytes read back by protobuf as %v (%v), want %v", name, v, back, err, msg)
			}
			std, err := proto.Marshal(msg)
			if err != nil {
				t.Fatal(err)
			}
			back = mt.New().Interface()
			if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(std)}, back); err != nil || !proto.Equal(back, msg) {
				t.Errorf("%s, variant %d: protobuf's bytes read by the codec as %v (%v), want %v", name, v, back, err, msg)
			}
			back = mt.New().Interface()
			if err := Unmarshal(std, back); err != nil || !Equal(back, msg) || !Equal(msg, back) {
				t.Errorf("%s, variant %d: Unmarshal gave %v (%v), Equal to %v false", name, v, back, err, msg)
			}
			other := mt.New()
			prototest.Fill(other, v, 3, func() string { return "other text" })
			if Equal(other.Interface(), msg) != proto.Equal(other.Interface(), msg) {
				t.Errorf("%s, variant %d: Equal and proto.Equal disagree about %v and %v", name, v, other, msg)
			}
		}
	}
}

// A message without generated code goes through protobuf's own way.
func TestMessagesWithoutGeneratedCode(t *testing.T) {
	codec := NewCodec()
	msg, err := structpb.NewStruct(map[string]any{"a": "b", "n": 2.0})
	if err != nil {
		t.Fatal(err)
	}
	wire, err := codec.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	back := &structpb.Struct{}
	if err := codec.Unmarshal(wire, back); err != nil || !Equal(back, msg) {
		t.Errorf("round trip gave %v (%v), want %v", back, err, msg)
	}
	back = &structpb.Struct{}
	if err := Unmarshal(wire.Materialize(), back); err != nil || !proto.Equal(back, msg) || Size(msg) != proto.Size(msg) {
		t.Errorf("Unmarshal gave %v (%v), want %v; Size %d, want %d", back, err, msg, Size(msg), proto.Size(msg))
	}
	if codec.Name() != "proto" {
		t.Errorf("codec named %q: the host would not see protobuf calls", codec.Name())
	}
}
