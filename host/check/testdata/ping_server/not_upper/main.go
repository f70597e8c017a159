// A ping server that echoes each ping as it came, not upper-cased.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServePingServer(student.PingServer{NoUpper: true}) }
