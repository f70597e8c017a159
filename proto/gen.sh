#!/bin/sh
# Regenerates the code generated from proto/socklab/v1/*.proto:
#   Go      proto/socklabpb
#   Python  plugins/python/socklab/v1, and plugins/python/socklab/goplugin:
#           the go-plugin services a Python plugin serves (controller and
#           stdio from the go-plugin module in go.mod, health from
#           plugins/python/proto)
#
#   gen.sh              both, in place: what `go generate ./proto/...` runs
#   gen.sh python DIR   only the Python code, into DIR/socklab instead of
#                       plugins/python/socklab (to check the committed code)
#
# Needs protoc (Debian: protobuf-compiler), and for Go protoc-gen-go and
# protoc-gen-go-grpc
# (go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
#  google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2).
# The Python code is for Debian's python3-protobuf 4.21, hence protoc 3.21.
set -eu
python_dir=""
if [ "${1:-}" = python ]; then
  python_dir=$(realpath "$2")
fi
cd "$(dirname "$0")"
PATH="$(go env GOPATH)/bin:$PATH"

gen_python() {
  case "$(protoc --version)" in
  "libprotoc 3.21."*) ;;
  *)
    echo "gen.sh: the Python code needs protoc 3.21 (Debian's protobuf-compiler) to match python3-protobuf 4.21; found $(protoc --version)" >&2
    exit 1
    ;;
  esac
  out=$1/socklab
  mkdir -p "$out/v1" "$out/goplugin"
  rm -f "$out"/v1/*_pb2.py "$out"/goplugin/*_pb2.py
  protoc -I . -I /usr/include --python_out="$1" socklab/v1/*.proto
  goplugin=$(go list -m -f '{{.Dir}}' github.com/hashicorp/go-plugin)
  protoc -I "$goplugin/internal/plugin" -I ../plugins/python/proto -I /usr/include \
    --python_out="$out/goplugin" grpc_controller.proto grpc_stdio.proto health.proto
}

if [ -n "$python_dir" ]; then
  gen_python "$python_dir"
  exit 0
fi

# vtprotobuf (the version go.mod requires) and protoc-gen-socklab generate
# the code a plugin handles its messages with instead of reflection
# (internal/goplugin/messages.go, proto/internal/protoc-gen-socklab).
plugins=$(mktemp -d)
trap 'rm -rf "$plugins"' EXIT
go build -o "$plugins/protoc-gen-go-vtproto" github.com/planetscale/vtprotobuf/cmd/protoc-gen-go-vtproto
go build -o "$plugins/protoc-gen-socklab" ./internal/protoc-gen-socklab
rm -f socklabpb/*.pb.go
protoc -I . -I /usr/include \
  --go_out=. --go_opt=module=github.com/socklab/socklab/proto \
  --go-grpc_out=. --go-grpc_opt=module=github.com/socklab/socklab/proto \
  --go-grpc_opt=require_unimplemented_servers=false \
  --plugin=protoc-gen-go-vtproto="$plugins/protoc-gen-go-vtproto" \
  --go-vtproto_out=. --go-vtproto_opt=module=github.com/socklab/socklab/proto \
  --go-vtproto_opt=features=marshal+unmarshal+size+equal \
  --plugin=protoc-gen-socklab="$plugins/protoc-gen-socklab" \
  --socklab_out=. --socklab_opt=module=github.com/socklab/socklab/proto \
  socklab/v1/*.proto
gen_python ../plugins/python
