// A ping server that reads the seq of every datagram as if each were a
// ping: an empty or junk datagram makes it crash.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServePingServer(student.PingServer{ParseSeq: true}) }
