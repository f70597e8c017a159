// Package plain lets a plain program play a role: a program written as the
// lab sheet asks (python3 UDPPingerClient.py, a C web server), which speaks
// no plugin protocol, hard-codes its server's address and tells what it did
// only by what it prints. The host runs it as an ordinary process; this
// package knows, per role, the address it is expected to use, its command
// line, and how the lines it prints on stdout become the role's events, so
// that it is judged like any plugin.
//
// # Addresses and command lines
//
// A plain client sends to the address the sheet gives (SheetAddress:
// 127.0.0.1:12000 for the Pinger and the Heartbeat); the host puts the
// client's link in front of that address. A plain server binds it (6789 for
// the web server); the host waits until the program's process has bound that
// port before it starts the clients. A plugin block's expects = "HOST:PORT"
// names another address. The web client is the sheet's
// "client.py server_host server_port filename": it is run once per path to
// fetch, with those three arguments. In a plugin block's args, {host},
// {port} and {address} stand for the address to use, and {path} ("/a.html")
// and {file} ("a.html") for the web client's path.
//
// # What is recognised on stdout
//
// Lines are read as the program prints them (the host sets
// PYTHONUNBUFFERED=1; a C program must flush stdout after each line). Case
// does not matter, numbers may have a fraction or an exponent, and a number
// may be followed by a unit: s, sec, seconds (the default), ms, msec,
// milliseconds, us, µs, microseconds, ns.
//
// Ping client (UDPPingerClient.py). Each result line is the outcome of the
// next ping, in order:
//   - a statistics line (checked first) is one that names min, max, avg,
//     average, mean or minimum/maximum, or packet loss with a number, or says
//     how many were transmitted or received: "rtt min/avg/max = 1.2/3.4/5.6
//     ms", "min 0.0012 avg 0.0034 max 0.0056 seconds, loss 30%", "Minimum
//     RTT: 0.0012" on one line and "Packet loss rate: 30.0%" on the next,
//     "10 packets transmitted, 7 received, 30% packet loss". Values may be
//     spread over several lines; a loss without "%" at most 1 is a fraction.
//   - a timeout line says "timed out", "time out", "timeout", "no reply",
//     "no response" or "lost": "Request timed out".
//   - a reply line holds "PING <seq>" (the server's answer, in any case)
//     and/or a round-trip time: "PING 3 1764147583.123456 RTT: 0.000213
//     seconds", "Reply from 127.0.0.1: PING 3 ... time=0.21 ms",
//     "b'PING 3 1764147583.12' 0.000213". The RTT is the number after "rtt",
//     "round trip (time)", "delay", "elapsed" or "time" (a Unix time, a number
//     of a million or more without a unit, is never an RTT); else the last
//     number with a unit; else the last number that is neither the seq nor a
//     Unix time. A "PING <seq>" line without an RTT may be followed by an
//     "RTT: x" line that completes it.
//   - a line that says sent, send or sending (the program showing its own
//     ping), and every other line, is not an outcome.
//
// Heartbeat server. A line that says "up again", "back up", "is up", "came
// back", "back online", "alive again", "resumed", "reconnected" or
// "recovered" reports a client up; otherwise one that says "down",
// "stopped", "dead", "offline", "not responding", "inactive" or "no
// heartbeat" reports it down; otherwise one that says "lost" or "missing"
// reports lost seqs: every whole number on it, with ranges written 4-6, 4 to
// 6 or 4..6, except addresses (127.0.0.1:5000), times (12:30:01), numbers
// with a fraction, percentages and counts ("3 packets", "3 heartbeats").
//
// Web client. The response as printed: the first line that starts with
// "HTTP/1.x NNN" is the status line, the lines up to the first empty one
// are the headers, the rest is the body. A line printed as a Python bytes
// literal (b'HTTP/1.1 200 OK\r\n...') is unescaped first.
//
// The ping server, web server and heartbeat client print nothing that
// counts: they are judged by their traffic alone.
package plain
