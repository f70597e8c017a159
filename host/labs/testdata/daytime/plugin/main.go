// Command plugin serves the daytime roles: a lab names it with
// plugin { go = "..." }.
package main

import (
	"github.com/socklab/socklab/host/labs/testdata/daytime"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() {
	sdk.Serve(sdk.Plugins{Roles: []sdk.Role{daytime.ServerPlugin(), daytime.ClientPlugin()}})
}
