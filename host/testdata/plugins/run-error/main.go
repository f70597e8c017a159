// Command run-error is a ping client whose Run fails with an error.
package main

import (
	"context"
	"errors"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

func main() {
	sdk.ServePingClient(sdk.PingClientFunc(func(context.Context, *pb.PingClientConfig, *sdk.PingClientEvents) error {
		return errors.New("no route to the server: I gave up")
	}))
}
