// A ping client that waits 5 s for each reply instead of 1 s.
package main

import (
	"time"

	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServePingClient(student.PingClient{Wait: 5 * time.Second}) }
