package link_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/socklab/socklab/host/link"
)

// A UDP link that loses 30% of the datagrams to the server: the same seed
// always loses the same ones, and the events say which.
func ExampleNewUDP() {
	server, _ := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer server.Close()
	go func() { // echo
		buf := make([]byte, 1500)
		for {
			n, from, err := server.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			server.WriteToUDPAddrPort(buf[:n], from)
		}
	}()

	var lost []uint64
	l, err := link.NewUDP(context.Background(), link.Config{
		Name:     "ping",
		Target:   server.LocalAddr().String(),
		ToServer: link.Impairment{Loss: 0.3},
		Seed:     7,
		Sink: func(ev link.Event) {
			if ev.Fate.Has(link.Dropped) {
				lost = append(lost, ev.Seq)
			}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	client, _ := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(l.Addr()))
	defer client.Close()
	buf := make([]byte, 1500)
	for i := range 10 {
		fmt.Fprintf(client, "ping %d", i)
		client.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		client.Read(buf) // a timeout is a lost ping
	}
	l.Close() // the Sink has every event once Close returns
	s := l.Summary()
	fmt.Println("lost:", lost)
	fmt.Println("to server:", s.ToServer.Delivered, "delivered,", s.ToServer.Dropped, "dropped")
	// Output:
	// lost: [8]
	// to server: 9 delivered, 1 dropped
}
