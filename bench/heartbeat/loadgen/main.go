// Command loadgen plays N heartbeat clients for bench/heartbeat/run.sh, each
// sending -rate heartbeats a second, spread evenly over time, for -duration.
//
// By default the clients carry ids ("Heartbeat <seq> <time> c<i>") and share
// -sockets UDP sockets, so that each socket's due heartbeats leave in one
// sendmmsg: the generator then costs far less CPU than the server it loads,
// which matters on a 2-core machine where they compete. With -ids=false each
// client has a socket of its own (the server keys it by source address), at
// one system call a heartbeat.
//
// It prints one line: "sent=N errors=N elapsed=SECONDS offered_pps=N", the
// last being what it achieved, sent/elapsed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/netip"
	"time"

	"github.com/socklab/socklab/plugins/reference/heartbeat"
	"golang.org/x/net/ipv4"
)

// slots is how many instants each heartbeat interval is divided into: a
// client sends at its slot, so the load is even at that resolution.
const slots = 100

// group is the clients of one socket that share a slot.
type group struct {
	conn *ipv4.PacketConn
	ids  []string
	seqs []uint64
	msgs []ipv4.Message
}

func main() {
	target := flag.String("target", "", "the server's UDP address")
	clients := flag.Int("clients", 20000, "clients to play")
	rate := flag.Float64("rate", 10, "heartbeats a second per client")
	duration := flag.Duration("duration", 5*time.Second, "how long to send")
	sockets := flag.Int("sockets", 200, "sockets the clients share (with -ids)")
	ids := flag.Bool("ids", true, "send client ids; without, one socket per client")
	flood := flag.Bool("flood", false, "send as fast as possible instead of at -rate")
	flag.Parse()
	dst, err := netip.ParseAddrPort(*target)
	if err != nil || *clients < 1 || *rate <= 0 || *sockets < 1 {
		log.Fatalf("need -target host:port, -clients, -rate and -sockets above 0 (target: %v)", err)
	}
	if !*ids {
		*sockets = *clients
	}
	groups, err := plan(dst, *clients, *sockets, *ids)
	if err != nil {
		log.Fatal(err)
	}
	tick := time.Duration(float64(time.Second) / *rate / slots)
	var sent, errs uint64
	start := time.Now()
	end := start.Add(*duration)
	for k := 0; ; k++ {
		due := start.Add(time.Duration(k) * tick)
		if *flood {
			due = time.Now()
		}
		if !due.Before(end) {
			break
		}
		time.Sleep(time.Until(due))
		now := time.Now()
		for _, g := range groups[k%slots] {
			n, err := g.send(now)
			sent += uint64(n)
			if err != nil {
				errs++
			}
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("sent=%d errors=%d elapsed=%.3f offered_pps=%.0f\n",
		sent, errs, elapsed.Seconds(), float64(sent)/elapsed.Seconds())
}

// plan spreads the clients over the slots and sockets: client i sends in
// slot i%slots from socket i%sockets.
func plan(dst netip.AddrPort, clients, sockets int, ids bool) ([slots][]*group, error) {
	var groups [slots][]*group
	conns := make([]*ipv4.PacketConn, sockets)
	bySlotSocket := map[[2]int]*group{}
	for i := range clients {
		slot, sock := i%slots, i%sockets
		if conns[sock] == nil {
			c, err := dial(dst, sock)
			if err != nil {
				return groups, err
			}
			conns[sock] = ipv4.NewPacketConn(c)
		}
		g := bySlotSocket[[2]int{slot, sock}]
		if g == nil {
			g = &group{conn: conns[sock]}
			bySlotSocket[[2]int{slot, sock}] = g
			groups[slot] = append(groups[slot], g)
		}
		id := ""
		if ids {
			id = fmt.Sprintf("c%d", i)
		}
		g.ids = append(g.ids, id)
		g.seqs = append(g.seqs, 0)
		g.msgs = append(g.msgs, ipv4.Message{Buffers: [][]byte{make([]byte, 0, 64)}})
	}
	return groups, nil
}

// dial opens socket n connected to dst. On IPv4 loopback, sockets are
// spread over the source addresses 127.0.0.1, .2, ..., 20,000 each, so that
// tens of thousands of them do not run out of ephemeral ports.
func dial(dst netip.AddrPort, n int) (*net.UDPConn, error) {
	var src *net.UDPAddr
	if dst.Addr().IsLoopback() && dst.Addr().Is4() && n < 254*20000 {
		src = &net.UDPAddr{IP: net.IPv4(127, 0, 0, byte(1+n/20000))}
	}
	c, err := net.DialUDP("udp", src, net.UDPAddrFromAddrPort(dst))
	if err != nil {
		return nil, fmt.Errorf("socket %d: %w", n, err)
	}
	return c, nil
}

// send writes the next heartbeat of each client of g, stamped now.
func (g *group) send(now time.Time) (int, error) {
	for i := range g.msgs {
		g.seqs[i]++
		g.msgs[i].Buffers[0] = heartbeat.AppendHeartbeat(g.msgs[i].Buffers[0][:0], g.seqs[i], now, g.ids[i])
	}
	sent := 0
	for sent < len(g.msgs) {
		n, err := g.conn.WriteBatch(g.msgs[sent:], 0)
		if err != nil {
			for i := sent; i < len(g.msgs); i++ {
				g.seqs[i]-- // not sent: the next try reuses the seq
			}
			return sent, fmt.Errorf("sendmmsg: %w", err)
		}
		sent += n
	}
	return sent, nil
}
