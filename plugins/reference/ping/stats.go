package ping

import (
	"math"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	pb "github.com/socklab/socklab/proto/socklabpb"
)

// Stats accumulates the standard ping statistics.
type Stats struct {
	Transmitted, Received uint32
	min, max              time.Duration
	sum, sumSquares       float64 // seconds, seconds squared
}

// Add counts one reply with the given round-trip time.
func (s *Stats) Add(rtt time.Duration) {
	if s.Received == 0 || rtt < s.min {
		s.min = rtt
	}
	if rtt > s.max {
		s.max = rtt
	}
	s.Received++
	sec := rtt.Seconds()
	s.sum += sec
	s.sumSquares += sec * sec
}

// Summary returns the statistics as ping(8) prints them.
func (s *Stats) Summary() *pb.PingClientSummary {
	sum := &pb.PingClientSummary{
		Transmitted: s.Transmitted,
		Received:    s.Received,
		RttMin:      durationpb.New(s.min),
		RttAvg:      durationpb.New(0),
		RttMax:      durationpb.New(s.max),
		RttMdev:     durationpb.New(0),
	}
	if s.Transmitted > 0 {
		sum.LossPercent = 100 * float64(s.Transmitted-s.Received) / float64(s.Transmitted)
	}
	if s.Received > 0 {
		n := float64(s.Received)
		avg := s.sum / n
		sum.RttAvg = durationpb.New(seconds(avg))
		sum.RttMdev = durationpb.New(seconds(math.Sqrt(math.Max(0, s.sumSquares/n-avg*avg))))
	}
	return sum
}

func seconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }
