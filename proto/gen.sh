#!/bin/sh
# Regenerates the Go code in proto/socklabpb from proto/socklab/v1/*.proto.
# Needs protoc (Debian: protobuf-compiler), protoc-gen-go and protoc-gen-go-grpc
# (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
#  google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2).
set -eu
cd "$(dirname "$0")"
PATH="$(go env GOPATH)/bin:$PATH"
rm -f socklabpb/*.pb.go
protoc -I . -I /usr/include \
  --go_out=. --go_opt=module=github.com/socklab/socklab/proto \
  --go-grpc_out=. --go-grpc_opt=module=github.com/socklab/socklab/proto \
  --go-grpc_opt=require_unimplemented_servers=false \
  socklab/v1/*.proto
