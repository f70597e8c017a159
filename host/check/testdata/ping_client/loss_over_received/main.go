// A ping client that computes the packet loss as lost / received.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServePingClient(student.PingClient{LossOverReceived: true}) }
