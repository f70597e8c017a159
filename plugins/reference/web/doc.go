// Package web is the reference implementation of the Simple Web Server lab:
// a web server written directly on TCP sockets (net.Listen and net.Conn, not
// net/http's server) and the lab sheet's HTTP client
// ("client server_host server_port filename").
//
// Serve and Fetch speak the socklab.v1 WebServer and WebClient roles: they
// take the role's config and report the role's events with the SDK's
// typed senders, so they are the roles' sdk.WebServerFunc and
// sdk.WebClientFunc as they are.
//
// The server answers GET and HEAD for files under a document root over
// HTTP/1.0 and 1.1, keeps 1.1 connections alive, never lets a path escape the
// root (on Linux the kernel enforces it: openat2 with RESOLVE_BENEATH;
// elsewhere os.Root), bounds the request head and times out slow or silent
// clients. Small files go out in one write with their head, larger ones with
// sendfile.
package web
