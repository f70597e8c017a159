// A ping client that writes its pings in lower case, "ping 1 <time>".
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServePingClient(student.PingClient{Format: "ping %d %f"}) }
