package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"time"
)

// udpEcho sends every datagram back.
func udpEcho(args []string) error {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	fmt.Println(conn.LocalAddr())
	buf := make([]byte, 64<<10)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return err
		}
		conn.WriteToUDPAddrPort(buf[:n], from)
	}
}

// forward is the smallest userspace UDP hop: one socket each side, replies
// to the last client. It is the floor a relay cannot go below.
func forward(args []string) error {
	fs := flag.NewFlagSet("forward", flag.ExitOnError)
	to := fs.String("target", "", "server address")
	fs.Parse(args)
	server, err := netip.ParseAddrPort(*to)
	if err != nil {
		return err
	}
	front, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	up, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	fmt.Println(front.LocalAddr())
	clients := make(chan netip.AddrPort, 1)
	go func() {
		buf := make([]byte, 64<<10)
		client := <-clients
		for {
			n, _, err := up.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			select {
			case client = <-clients:
			default:
			}
			front.WriteToUDPAddrPort(buf[:n], client)
		}
	}()
	buf := make([]byte, 64<<10)
	var last netip.AddrPort
	for {
		n, from, err := front.ReadFromUDPAddrPort(buf)
		if err != nil {
			return err
		}
		if from != last {
			last = from
			clients <- from
		}
		up.WriteToUDPAddrPort(buf[:n], server)
	}
}

// pingCmd measures UDP round trips to each target.
func pingCmd(args []string) error {
	fs := flag.NewFlagSet("ping", flag.ExitOnError)
	n := fs.Int("n", 4000, "round trips per target per round")
	rounds := fs.Int("rounds", 5, "rounds")
	warm := fs.Int("warmup", 500, "unmeasured round trips per target per round")
	fs.Parse(args)
	ts, err := targets(fs)
	if err != nil {
		return err
	}
	conns := make([]*net.UDPConn, len(ts))
	for i, t := range ts {
		if conns[i], err = net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(t.addr))); err != nil {
			return err
		}
	}
	rtts := make([][]time.Duration, len(ts))
	lost := make([]int, len(ts))
	msg := make([]byte, 64)
	buf := make([]byte, 64<<10)
	var seq uint64
	for range *rounds {
		for i, c := range conns {
			for j := range *warm + *n {
				seq++
				rtt, err := roundTrip(c, msg, buf, seq)
				if err != nil {
					lost[i]++
					continue
				}
				if j >= *warm {
					rtts[i] = append(rtts[i], rtt)
				}
			}
		}
	}
	fmt.Printf("%-10s %8s %10s %10s %10s %6s\n", "udp ping", "samples", "p50", "p90", "p99", "lost")
	for i, t := range ts {
		r := rtts[i]
		slices.Sort(r)
		if len(r) == 0 {
			return fmt.Errorf("%s: no replies", t.name)
		}
		fmt.Printf("%-10s %8d %10s %10s %10s %6d\n", t.name, len(r), us(r[len(r)/2]), us(r[len(r)*9/10]), us(r[len(r)*99/100]), lost[i])
	}
	return nil
}

// roundTrip sends one numbered ping and waits for its echo.
func roundTrip(c *net.UDPConn, msg, buf []byte, seq uint64) (time.Duration, error) {
	for i := range 8 {
		msg[i] = byte(seq >> (8 * i))
	}
	start := time.Now()
	if _, err := c.Write(msg); err != nil {
		return 0, err
	}
	c.SetReadDeadline(start.Add(time.Second))
	for {
		n, err := c.Read(buf)
		if err != nil {
			return 0, err
		}
		if n == len(msg) && string(buf[:8]) == string(msg[:8]) {
			return time.Since(start), nil
		}
		if n < 8 {
			return 0, errors.New("short reply")
		}
		// a late reply to an earlier ping: keep waiting for this one
	}
}

func us(d time.Duration) string {
	return fmt.Sprintf("%.1fµs", float64(d)/float64(time.Microsecond))
}
