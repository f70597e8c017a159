// Command plugin serves the daytime roles: a lab names it with
// plugin { go = "..." }.
package main

import (
	"github.com/socklab/socklab/host/run/testdata/daytime"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() { sdk.Serve(sdk.Plugins{Roles: daytime.Plugins()}) }
