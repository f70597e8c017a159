// Command ping-client is the skeleton of the UDP Pinger client, the program
// the lab sheet asks you to write, as a socklab plugin. Complete the code at
// the places marked "Fill in start" and "Fill in end"; each may need one or
// more lines. It compiles as handed out, but does not work yet.
//
// The client sends cfg.Count pings (10) to cfg.Server, one at a time. Each
// is the message "Ping <seq> <time>": seq counts from 1, time is the send
// time in Unix seconds, like Python's time.time(). It waits up to
// cfg.Timeout (1 s) for the reply; the server answers with the message
// upper-cased. For a reply it prints the reply and the round-trip time in
// seconds, otherwise "Request timed out". See README.md beside this
// directory for how to run it and check it.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

type client struct{}

// errNoReply is a ping without its reply in time.
var errNoReply = errors.New("no reply")

func (client) Run(ctx context.Context, cfg *pb.PingClientConfig, out *sdk.PingClientEvents) error {
	serverAddr, err := net.ResolveUDPAddr("udp", cfg.Server)
	if err != nil {
		return err
	}
	// Create a UDP socket (Python: socket(AF_INET, SOCK_DGRAM)).
	var clientSocket *net.UDPConn
	// Fill in start
	// Fill in end
	if clientSocket == nil {
		return errors.New("there is no socket yet: fill in the gap that creates it")
	}
	defer clientSocket.Close()
	// When the host stops the client, wake up a read that is waiting.
	stop := context.AfterFunc(ctx, func() { clientSocket.SetReadDeadline(time.Now()) })
	defer stop()

	var rtts []time.Duration
	sent := 0
	for seq := 1; seq <= int(cfg.Count) && ctx.Err() == nil; seq++ {
		start := time.Now()
		// The ping: "Ping <seq> <time>".
		message := ""
		// Fill in start
		// Fill in end
		if _, err := clientSocket.WriteToUDP([]byte(message), serverAddr); err != nil {
			return err
		}
		sent++
		out.Sent(uint32(seq), start, []byte(message))

		// Wait at most cfg.Timeout.AsDuration() for the reply (a read
		// deadline), and read it into reply. A reply to an earlier ping came
		// after its own timeout: it is not this ping's reply; keep waiting
		// for the right one. No reply in time: leave err set.
		var reply []byte
		err := errNoReply
		// Fill in start
		// Fill in end
		if err != nil {
			fmt.Println("Request timed out")
			out.Timeout(uint32(seq))
			continue
		}
		rtt := time.Since(start)
		fmt.Printf("%s RTT: %.6f seconds\n", reply, rtt.Seconds())
		out.Reply(uint32(seq), rtt, reply, serverAddr.String())
		rtts = append(rtts, rtt)
	}

	// Optional exercise 1: the minimum, average and maximum RTT, and the
	// packet loss rate in percent of the pings sent, as the standard ping
	// prints them (and put them in summary).
	summary := &pb.PingClientSummary{Transmitted: uint32(sent), Received: uint32(len(rtts))}
	// Fill in start
	// Fill in end
	out.Summary(summary)
	return nil
}

func main() {
	sdk.ServePingClient(client{})
}
