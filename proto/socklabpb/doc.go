// Package socklabpb holds the Go code generated from proto/socklab/v1: the
// messages and gRPC services every socklab plugin speaks, and, for each
// message, code that handles it without protobuf's reflection, whose
// tables cost a fresh plugin process about a millisecond to build:
// marshalling, sizing and equality (vtprotobuf, *_vtproto.pb.go), text
// repair and event stamping (proto/internal/protoc-gen-socklab,
// *_text.pb.go). Do not edit the .pb.go files; change the .proto files and
// run `go generate ./proto/...`.
package socklabpb

//go:generate ../gen.sh
