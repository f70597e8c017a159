// Command bare is the yardstick of bench/heartbeat/run.sh: the least a Go
// program can do with heartbeats, read each datagram from a socket with the
// reference server's 4 MiB receive buffer and count it, one read a datagram.
// It prints "ready addr=ADDR rcvbuf=BYTES", reads until SIGINT or SIGTERM,
// then prints "received=N cpu=SECONDS".
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/socklab/socklab/bench/heartbeat/internal/usage"
	"github.com/socklab/socklab/plugins/reference/heartbeat"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "UDP address to read from")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	conn, granted, err := heartbeat.Listen(ctx, *listen, heartbeat.ReadBuffer)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	fmt.Printf("ready addr=%s rcvbuf=%d\n", conn.LocalAddr(), granted)
	context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	buf := make([]byte, 2048)
	var received uint64
	for {
		if _, _, err := conn.ReadFromUDPAddrPort(buf); err != nil {
			break
		}
		received++
	}
	fmt.Printf("received=%d cpu=%.3f\n", received, usage.CPUSeconds())
}
