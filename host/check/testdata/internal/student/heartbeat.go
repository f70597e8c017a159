package student

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

// HeartbeatServer is a simple heartbeat server: a gap in the seqs is lost
// at once, and a client silent for dead_after is down. Its zero value is
// right.
type HeartbeatServer struct {
	// NeverDown never declares a client down.
	NeverDown bool
}

type heartbeatClient struct {
	highest  uint64
	lastSeen time.Time
	down     bool
}

type datagram struct {
	text string
	from string
	at   time.Time
}

func (s HeartbeatServer) Run(ctx context.Context, cfg *pb.HeartbeatServerConfig, out *sdk.HeartbeatServerEvents) error {
	sock, err := net.ListenPacket("udp", cfg.Listen)
	if err != nil {
		return err
	}
	defer sock.Close()
	context.AfterFunc(ctx, func() { sock.Close() })
	out.Ready(sock.LocalAddr().String())
	in := make(chan datagram, 100)
	go func() {
		defer close(in)
		buf := make([]byte, 2048)
		for {
			n, from, err := sock.ReadFrom(buf)
			if err != nil {
				return
			}
			in <- datagram{string(buf[:n]), from.String(), time.Now()}
		}
	}()
	deadAfter := cfg.DeadAfter.AsDuration()
	clients := map[string]*heartbeatClient{}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case d, ok := <-in:
			if !ok {
				out.Summary(&pb.HeartbeatServerSummary{})
				return nil
			}
			fields := strings.Fields(d.text)
			if len(fields) < 3 {
				continue
			}
			seq, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				continue
			}
			c := clients[d.from]
			switch {
			case c == nil:
				c = &heartbeatClient{highest: seq}
				clients[d.from] = c
			case c.down:
				out.Up(d.from, seq, d.at.Sub(c.lastSeen))
				c.down = false
			}
			if seq > c.highest+1 {
				out.Lost(d.from, c.highest+1, seq-1)
			}
			c.highest = max(c.highest, seq)
			c.lastSeen = d.at
			out.Heartbeat(d.from, d.from, seq, d.at, 0)
		case now := <-tick.C:
			for name, c := range clients {
				if !s.NeverDown && !c.down && now.Sub(c.lastSeen) > deadAfter {
					c.down = true
					out.Down(name, c.highest, c.lastSeen, c.lastSeen.Add(deadAfter))
				}
			}
		}
	}
}
