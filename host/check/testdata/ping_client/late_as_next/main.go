// A ping client that takes whatever datagram comes next as the reply to
// its ping: a reply that comes after its timeout passes for the next
// ping's.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServePingClient(student.PingClient{AnyReply: true}) }
