// A web server that joins the root and the requested path as they are:
// "/../secret.txt" leads out of the document root.
package main

import (
	"github.com/socklab/socklab/host/check/testdata/internal/student"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.ServeWebServer(student.WebServer{JoinPath: true}) }
