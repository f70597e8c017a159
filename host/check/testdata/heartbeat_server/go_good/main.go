// A simple, correct heartbeat server.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServeHeartbeatServer(student.HeartbeatServer{}) }
