package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"net"
	"time"
)

const bulkBuffer = 256 << 10

// tcpSink reads each connection to its end and answers with the byte count.
func tcpSink(args []string) error {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr())
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			buf := make([]byte, bulkBuffer)
			var total uint64
			for {
				n, err := c.Read(buf)
				total += uint64(n)
				if err != nil {
					break
				}
			}
			c.Write(binary.BigEndian.AppendUint64(nil, total))
		}()
	}
}

// tcpForward is the smallest userspace TCP hop, io.Copy both ways (splice
// on Linux): the floor a proxy cannot go below.
func tcpForward(args []string) error {
	fs := flag.NewFlagSet("tcp-forward", flag.ExitOnError)
	to := fs.String("target", "", "server address")
	fs.Parse(args)
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr())
	for {
		c, err := ln.AcceptTCP()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			s, err := net.Dial("tcp", *to)
			if err != nil {
				return
			}
			defer s.Close()
			done := make(chan struct{})
			go func() {
				io.Copy(s, c)
				s.(*net.TCPConn).CloseWrite()
				close(done)
			}()
			io.Copy(c, s)
			c.CloseWrite()
			<-done
		}()
	}
}

// bulkCmd measures one-way TCP throughput to each target.
func bulkCmd(args []string) error {
	fs := flag.NewFlagSet("bulk", flag.ExitOnError)
	seconds := fs.Float64("seconds", 2, "length of one transfer")
	rounds := fs.Int("rounds", 3, "rounds")
	fs.Parse(args)
	ts, err := targets(fs)
	if err != nil {
		return err
	}
	bytes := make([]uint64, len(ts))
	took := make([]time.Duration, len(ts))
	best := make([]float64, len(ts))
	for range *rounds {
		for i, t := range ts {
			n, d, err := bulk(t.addr, time.Duration(*seconds*float64(time.Second)))
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			bytes[i] += n
			took[i] += d
			best[i] = max(best[i], mbps(n, d))
		}
	}
	fmt.Printf("%-10s %12s %12s\n", "tcp bulk", "mean MB/s", "best MB/s")
	for i, t := range ts {
		fmt.Printf("%-10s %12.0f %12.0f\n", t.name, mbps(bytes[i], took[i]), best[i])
	}
	return nil
}

// bulk writes for d, half-closes, and returns how many bytes the server
// counted and how long it took until it said so.
func bulk(addr string, d time.Duration) (uint64, time.Duration, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	buf := make([]byte, bulkBuffer)
	start := time.Now()
	for time.Since(start) < d {
		if _, err := c.Write(buf); err != nil {
			return 0, 0, err
		}
	}
	c.(*net.TCPConn).CloseWrite()
	var count [8]byte
	if _, err := io.ReadFull(c, count[:]); err != nil {
		return 0, 0, fmt.Errorf("reading the count: %w", err)
	}
	return binary.BigEndian.Uint64(count[:]), time.Since(start), nil
}

func mbps(n uint64, d time.Duration) float64 {
	return float64(n) / d.Seconds() / 1e6
}
