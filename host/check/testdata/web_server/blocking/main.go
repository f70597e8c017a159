// A web server that serves one connection at a time, like the sheet's
// skeleton: a client that sends nothing blocks every other.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServeWebServer(student.WebServer{OneAtATime: true}) }
