package main

import (
	"fmt"
	"strings"
)

// The shapes of lab file the benchmark loads. Each is valid: the loader
// does all its work on it, not just the parse.

// chainedLocals is n locals, each using the next one, so that they must be
// evaluated in the reverse of their written order.
func chainedLocals(n int) []byte {
	var b strings.Builder
	b.WriteString("locals {\n")
	for i := 0; i < n-1; i++ {
		fmt.Fprintf(&b, "  l%d = local.l%d + 1\n", i, i+1)
	}
	fmt.Fprintf(&b, "  l%d = 0\n}\n", n-1)
	fmt.Fprintf(&b, "ping_server \"s\" {\n  listen = \"127.0.0.1:0\"\n  drop_rate = local.l0 / %d\n}\n", 2*n)
	return []byte(b.String())
}

// pairs is n components: n/2 ping servers, each with a client that refers
// to its address and count.
func pairs(n int) []byte {
	var b strings.Builder
	for i := 0; i < n/2; i++ {
		fmt.Fprintf(&b, "ping_server \"s%d\" {\n  listen = \"127.0.0.1:%d\"\n  drop_rate = 0.25\n}\n", i, 10000+i%50000)
		fmt.Fprintf(&b, "ping_client \"c%d\" {\n  server  = ping_server.s%d.address\n  count   = 3\n  timeout = \"250ms\"\n  link {\n    loss  = 0.1\n    delay = \"5ms\"\n  }\n}\n", i, i)
	}
	return []byte(b.String())
}

// sized is a lab of about size bytes: a block of locals and pairs of
// components that use them, a commented, realistic mix.
func sized(size int) []byte {
	var b strings.Builder
	b.WriteString("# generated lab\nlab {\n  name = \"big\"\n  seed = 7\n}\nvariable \"pings\" {\n  default = 4\n}\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "locals {\n  wait%d = \"${%d + var.pings}ms\"\n  note%d = \"%s\"\n}\n", i, 100+i%900, i, strings.Repeat("x", 64))
		fmt.Fprintf(&b, "ping_server \"s%d\" {\n  # server %d\n  listen    = \"127.0.0.1:%d\"\n  drop_rate = 4 / 11\n}\n", i, i, 10000+i%50000)
		fmt.Fprintf(&b, "ping_client \"c%d\" {\n  server  = ping_server.s%d.address\n  count   = var.pings\n  timeout = local.wait%d\n}\n", i, i, i)
	}
	return []byte(b.String())
}
