// Command web-server is the skeleton of the lab sheet's Simple Web Server
// (WebServer.py) in Go, as a socklab plugin. Complete the code at the
// places marked "Fill in start" and "Fill in end". It compiles as handed
// out, but does not work yet.
//
// The server listens on cfg.Listen. For each connection it reads the
// request, whose first line is like "GET /HelloWorld.html HTTP/1.1", and
// answers with the file of that name under cfg.Root: the status line
// "HTTP/1.1 200 OK", header lines (Content-Type, Content-Length), an empty
// line, then the file's bytes. A file that is not there gets "404 Not
// Found", a request that is not METHOD PATH VERSION "400 Bad Request", and
// no path may lead out of cfg.Root (think of /../secret.txt).
package main

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/socklab/socklab/plugins/sdk"
	pb "github.com/socklab/socklab/proto/socklabpb"
)

type server struct{}

func (server) Run(ctx context.Context, cfg *pb.WebServerConfig, out *sdk.WebServerEvents) error {
	// Prepare a server socket: listen on cfg.Listen (TCP).
	var serverSocket net.Listener
	// Fill in start
	// Fill in end
	if serverSocket == nil {
		return errors.New("there is no server socket yet: fill in the gap that listens")
	}
	out.Ready(serverSocket.Addr().String())
	context.AfterFunc(ctx, func() { serverSocket.Close() })
	for {
		// Establish the connection.
		connectionSocket, err := serverSocket.Accept()
		if err != nil {
			break // closed: the host stopped us
		}
		// One request at a time, like the sheet's skeleton. Optional
		// exercise 1: serve each connection in a goroutine of its own, so
		// that one slow client does not hold up the others.
		// Fill in start
		serve(connectionSocket, cfg.Root, out)
		// Fill in end
	}
	out.Summary(&pb.WebServerSummary{})
	return nil
}

// errNotFound stands for a file that cannot be served.
var errNotFound = errors.New("not found")

// serve answers the one request of a connection.
func serve(connectionSocket net.Conn, root string, out *sdk.WebServerEvents) {
	defer connectionSocket.Close()
	request := &pb.WebRequest{Peer: connectionSocket.RemoteAddr().String()}
	defer out.Request(request)

	// Read the request (at least its first line).
	message := ""
	// Fill in start
	// Fill in end
	fields := strings.Fields(message)
	if len(fields) < 3 {
		// Not METHOD PATH VERSION: send 400 Bad Request.
		// Fill in start
		// Fill in end
		request.Status = 400
		return
	}
	request.Method, request.Target, request.Proto = fields[0], fields[1], fields[2]

	// Read the file request.Target names under root, never a file outside
	// it.
	var outputdata []byte
	err := errNotFound
	// Fill in start
	// Fill in end
	if err != nil {
		// Send the response for a file not found: 404 Not Found.
		// Fill in start
		// Fill in end
		request.Status = 404
		return
	}
	// Send the status line and the header lines, then an empty line.
	// Fill in start
	// Fill in end

	// Send the content of the requested file to the client.
	connectionSocket.Write(outputdata)
	request.Status, request.Bytes = 200, uint64(len(outputdata))
}

func main() {
	sdk.ServeWebServer(server{})
}
