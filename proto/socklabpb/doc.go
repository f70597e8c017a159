// Package socklabpb holds the Go code generated from proto/socklab/v1: the
// messages and gRPC services every socklab plugin speaks. Do not edit the
// .pb.go files; change the .proto files and run `go generate ./proto/...`.
package socklabpb

//go:generate ../gen.sh
