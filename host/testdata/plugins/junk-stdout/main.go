// Command junk-stdout prints to stdout before serving, which breaks the
// plugin handshake.
package main

import (
	"fmt"

	"github.com/socklab/socklab/plugins/reference/ping"
	"github.com/socklab/socklab/plugins/sdk"
)

func main() {
	fmt.Println("hello from a plugin that prints too early")
	sdk.ServePingServer(sdk.PingServerFunc(ping.Serve))
}
