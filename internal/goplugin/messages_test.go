package goplugin

import (
	"reflect"
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
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

// A oneof holding a nil message is sent as that field, empty, as protobuf
// does (a Summary event built with a nil summary is still a Summary);
// vtprotobuf's size of it is one byte too many, which Marshal must not
// turn into a wrong message.
func TestOneofOfANilMessage(t *testing.T) {
	codec := NewCodec()
	cases := 0
	for _, mt := range prototest.Messages() {
		md := mt.Descriptor()
		for i := 0; i < md.Oneofs().Len(); i++ {
			od := md.Oneofs().Get(i)
			for j := 0; j < od.Fields().Len(); j++ {
				fd := od.Fields().Get(j)
				if fd.Message() == nil {
					continue
				}
				cases++
				m := mt.New()
				m.Set(fd, protoreflect.ValueOfMessage(m.NewField(fd).Message())) // then made nil below
				setNilInOneof(m.Interface())
				batch := inBatch(m)
				wire, err := codec.Marshal(batch)
				if err != nil {
					t.Fatalf("%s.%s: %v", md.FullName(), fd.Name(), err)
				}
				std, err := proto.Marshal(batch)
				if err != nil {
					t.Fatal(err)
				}
				back, want := batch.ProtoReflect().New().Interface(), batch.ProtoReflect().New().Interface()
				if err := proto.Unmarshal(wire.Materialize(), back); err != nil {
					t.Errorf("%s.%s nil: the codec's bytes % x do not read back: %v (protobuf's: % x)", md.FullName(), fd.Name(), wire.Materialize(), err, std)
					continue
				}
				if err := proto.Unmarshal(std, want); err != nil || !proto.Equal(back, want) {
					t.Errorf("%s.%s nil: read back as %v, protobuf's bytes as %v (%v)", md.FullName(), fd.Name(), back, want, err)
				}
				if Size(batch) < len(std) {
					t.Errorf("%s.%s nil: Size %d under the %d bytes it takes", md.FullName(), fd.Name(), Size(batch), len(std))
				}
			}
		}
	}
	if cases == 0 {
		t.Fatal("no oneof of a message found: the test proves nothing")
	}
}

// setNilInOneof makes the message held by m's oneof wrappers nil.
func setNilInOneof(m proto.Message) {
	v := reflect.ValueOf(m).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Interface || f.IsNil() || !v.Type().Field(i).IsExported() {
			continue
		}
		wrapper := f.Elem().Elem() // *X_Field's struct
		inner := wrapper.Field(0)
		inner.Set(reflect.Zero(inner.Type()))
	}
}

// inBatch returns ev in the batch message that lists events of its type,
// as a plugin sends it, or ev itself if no message does.
func inBatch(ev protoreflect.Message) proto.Message {
	for _, mt := range prototest.Messages() {
		fd := mt.Descriptor().Fields().ByName("events")
		if fd != nil && fd.IsList() && fd.Message() == ev.Descriptor() {
			batch := mt.New()
			batch.Mutable(fd).List().Append(protoreflect.ValueOfMessage(ev))
			return batch.Interface()
		}
	}
	return ev.Interface()
}
