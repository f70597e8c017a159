// A careful student's web server: it should pass every scenario.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServeWebServer(student.WebServer{}) }
