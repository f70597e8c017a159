// A ping client whose statistics give min and max the wrong way round.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServePingClient(student.PingClient{SwapMinMax: true}) }
