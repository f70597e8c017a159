// Command udpecho is a minimal Go UDP echo server and ping client: the
// floor that the reference ping client and server are compared with.
//
//	udpecho server ADDR          echo every datagram back, upper-cased
//	udpecho client ADDR N        N pings one at a time, print each RTT in ns
package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: udpecho server ADDR | client ADDR N")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "server":
		err = serve(os.Args[2])
	case "client":
		n, _ := strconv.Atoi(os.Args[3])
		err = ping(os.Args[2], n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func serve(addr string) error {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	fmt.Println(pc.LocalAddr())
	conn := pc.(*net.UDPConn)
	buf := make([]byte, 65535)
	for {
		n, peer, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return err
		}
		conn.WriteToUDPAddrPort(bytes.ToUpper(buf[:n]), peer)
	}
}

func ping(addr string, n int) error {
	raddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return err
	}
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		return err
	}
	buf := make([]byte, 65535)
	rtts := make([]time.Duration, 0, n)
	for seq := 1; seq <= n; seq++ {
		start := time.Now()
		msg := fmt.Appendf(nil, "Ping %d %d", seq, start.UnixMicro())
		conn.SetReadDeadline(start.Add(time.Second))
		if _, err := conn.Write(msg); err != nil {
			return err
		}
		if _, err := conn.Read(buf); err != nil {
			return err
		}
		rtts = append(rtts, time.Since(start))
	}
	// Printed at the end: a write per ping would wake the reader of the
	// pipe while the next ping is in flight.
	out := make([]byte, 0, 12*n)
	for _, d := range rtts {
		out = strconv.AppendInt(out, d.Nanoseconds(), 10)
		out = append(out, '\n')
	}
	_, err = os.Stdout.Write(out)
	return err
}
