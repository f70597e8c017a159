// Command server runs the reference heartbeat server for
// bench/heartbeat/run.sh as a load test would: report_heartbeats off, every
// event counted. It prints "ready addr=ADDR rcvbuf=BYTES", serves until
// SIGINT or SIGTERM, then prints one line of key=value counts: the
// summary's totals over all clients and the Down, Up and Lost events.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/socklab/socklab/bench/heartbeat/internal/usage"
	"github.com/socklab/socklab/plugins/reference/heartbeat"
	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

// counts is what the events said.
type counts struct {
	downs, ups, lostEvents, malformedEvents uint64
	summary                                 *pb.HeartbeatServerSummary
}

func (c *counts) emit(e *pb.HeartbeatServerEvent) {
	switch {
	case e.GetReady() != nil:
		fmt.Printf("ready addr=%s\n", e.GetReady().GetAddress())
	case e.GetLog() != nil:
		log.Print(e.GetLog().GetMessage())
	case e.GetDown() != nil:
		c.downs++
	case e.GetUp() != nil:
		c.ups++
	case e.GetLost() != nil:
		c.lostEvents++
	case e.GetMalformed() != nil:
		c.malformedEvents++
	case e.GetSummary() != nil:
		c.summary = e.GetSummary()
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "UDP address to serve")
	deadAfter := flag.Duration("dead-after", 3*time.Second, "dead_after")
	window := flag.Duration("reorder-window", time.Second, "reorder_window")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var c counts
	cfg := &pb.HeartbeatServerConfig{
		Listen: *listen, DeadAfter: durationpb.New(*deadAfter), ReorderWindow: durationpb.New(*window),
		ReportHeartbeats: false,
	}
	if err := heartbeat.Serve(ctx, cfg, sdk.NewHeartbeatServerEvents(c.emit)); err != nil {
		log.Fatal(err)
	}
	var received, lost, dups, reordered, restarts uint64
	for _, t := range c.summary.GetClients() {
		received += t.GetReceived()
		lost += t.GetLost()
		dups += t.GetDuplicates()
		reordered += t.GetReordered()
		restarts += t.GetRestarts()
	}
	fmt.Printf("received=%d lost=%d clients=%d downs=%d ups=%d lost_events=%d duplicates=%d reordered=%d restarts=%d malformed=%d cpu=%.3f\n",
		received, lost, len(c.summary.GetClients()), c.downs, c.ups, c.lostEvents, dups, reordered, restarts,
		c.summary.GetMalformed(), usage.CPUSeconds())
}
