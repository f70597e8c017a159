// Command serve serves a directory over HTTP for bench/web/run.sh, with the
// reference server (-server ref) or Go's net/http FileServer (-server nethttp),
// until SIGINT or SIGTERM. It prints the address it listens on, then serves.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/socklab/socklab/plugins/reference/web"
	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
	"google.golang.org/protobuf/types/known/durationpb"
)

func main() {
	server := flag.String("server", "ref", "ref (the reference server) or nethttp (net/http's FileServer)")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	root := flag.String("root", ".", "directory to serve")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
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
	dir, err := filepath.Abs(*root)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch *server {
	case "ref":
		err = serveRef(ctx, *listen, dir)
	case "nethttp":
		err = serveNetHTTP(ctx, *listen, dir)
	default:
		err = fmt.Errorf("unknown -server %q", *server)
	}
	if err != nil {
		log.Print(err)
		stop()
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// serveRef runs the reference server with the host's defaults, without
// Request events, as a load test would.
func serveRef(ctx context.Context, listen, dir string) error {
	cfg := &pb.WebServerConfig{
		Listen:         listen,
		Root:           dir,
		Concurrency:    pb.Concurrency_CONCURRENCY_PER_CONNECTION,
		ReadTimeout:    durationpb.New(10 * time.Second),
		IdleTimeout:    durationpb.New(5 * time.Second),
		MaxHeaderBytes: 8192,
	}
	return web.Serve(ctx, cfg, sdk.NewWebServerEvents(func(ev *pb.WebServerEvent) {
		if r := ev.GetReady(); r != nil {
			fmt.Println(r.GetAddress())
		}
	}))
}

// serveNetHTTP runs net/http's FileServer with timeouts like the reference
// server's.
func serveNetHTTP(ctx context.Context, listen, dir string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           http.FileServer(http.Dir(dir)),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       5 * time.Second,
		MaxHeaderBytes:    8192,
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Println(ln.Addr())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
