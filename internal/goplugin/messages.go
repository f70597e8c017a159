package goplugin

import (
	"google.golang.org/grpc/encoding"
	grpcproto "google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
)

// A plugin handles the roles' messages with the code generated for their
// types (vtprotobuf's in proto/socklabpb), not with protobuf's reflection:
// the protobuf runtime builds a type's reflection tables, and unmarshals
// its .proto file's descriptor, the first time the type is used, about a
// millisecond for the three labs' messages, all of it on the way from a
// plugin's start to its servers' Ready. A message without generated code
// (a role defined outside proto/socklabpb) takes protobuf's own way.

// generated is what vtprotobuf generates for every message.
type generated interface {
	MarshalToSizedBufferVT([]byte) (int, error)
	UnmarshalVT([]byte) error
	SizeVT() int
	EqualMessageVT(proto.Message) bool
}

// Codec is the gRPC codec of a plugin's server: the Run calls' settings
// and events go through the generated code, everything else (go-plugin's
// own services) through gRPC's protobuf codec, whose name it takes.
type Codec struct{ fallback encoding.CodecV2 }

// NewCodec returns the plugin's codec.
func NewCodec() Codec { return Codec{fallback: encoding.GetCodecV2(grpcproto.Name)} }

// Name is the protobuf codec's: the host sees ordinary protobuf calls.
func (Codec) Name() string { return grpcproto.Name }

// Marshal encodes v.
func (c Codec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(generated)
	if !ok {
		return c.fallback.Marshal(v)
	}
	// Not MarshalVT: it returns the buffer's first bytes, while the message
	// is written at its end, and SizeVT counts a oneof holding a nil
	// message one byte too many (vtprotobuf before its pull request 137).
	b := make([]byte, m.SizeVT())
	n, err := m.MarshalToSizedBufferVT(b)
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(b[len(b)-n:])}, nil
}

// Unmarshal decodes data into v.
func (c Codec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(generated)
	if !ok {
		return c.fallback.Unmarshal(data, v)
	}
	return m.UnmarshalVT(data.Materialize())
}

// Unmarshal is proto.Unmarshal, through m's generated code if it has some.
func Unmarshal(b []byte, m proto.Message) error {
	if g, ok := m.(generated); ok {
		return g.UnmarshalVT(b)
	}
	return proto.Unmarshal(b, m)
}

// Equal is proto.Equal, through a's generated code if it has some.
func Equal(a, b proto.Message) bool {
	if g, ok := a.(generated); ok {
		return g.EqualMessageVT(b)
	}
	return proto.Equal(a, b)
}

// Size is proto.Size, through m's generated code if it has some; for a
// oneof holding a nil message that is a byte too many (see Marshal).
func Size(m proto.Message) int {
	if g, ok := m.(generated); ok {
		return g.SizeVT()
	}
	return proto.Size(m)
}
