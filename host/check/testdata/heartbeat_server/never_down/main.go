// A heartbeat server that reports lost heartbeats but never declares a
// client down.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServeHeartbeatServer(student.HeartbeatServer{NeverDown: true}) }
