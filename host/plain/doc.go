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
// A plain client sends to the address the sheet gives (the role's Plain.Address:
// 127.0.0.1:12000 for the Pinger and the Heartbeat); the host puts the
// client's link in front of that address. A plain server binds what it
// likes (the sheet's web server says "replace this port number with
// whatever port you have used"): the host waits until the program's
// process has bound a port (a listening one for TCP), reads which one from
// /proc, and sends the clients there. A plugin block's expects =
// "HOST:PORT" names the address a client sends to, or the one port a
// server must bind. The web client is the sheet's
// "client.py server_host server_port filename": it is run once per path to
// fetch, with those three arguments. In a plugin block's args, {host},
// {port} and {address} stand for the address to use, and {path} ("/a.html")
// and {file} ("a.html") for the web client's path.
//
// # What is recognised on stdout
//
// Real forms, as students print them, and how they are read:
//
//	Reply from 127.0.0.1: PING 1 1764147583.5     ping 1's reply; its RTT on this line or the next
//	RTT: 0.00123 seconds                         the RTT of the reply line before it
//	PING 1 ... from ('127.0.0.1', 12000)         ping 1's reply; the tuple is an address
//	Ping 1 1796602021.815964                     the program's own ping going out (the
//	                                             server's reply says "PING"), no outcome
//	Ping message 1 received: PING 1 ...          ping 1's reply (neither 1 is an RTT)
//	PING 3 1764147583.12  RTT = 0.000213 s       ping 3's reply, RTT 213µs
//	Request timed out / Packet 4 lost            the next ping timed out
//	Sent=10, Received=6, Lost=4 (40% loss)       statistics: 10 sent, 6 received, loss 40%
//	Packets lost: 3                              statistics: 3 lost, a loss of 3 in the pings sent
//	total number of packets lost = 1             the same (a count, not ping 1 lost)
//	Minimum RTT = 0.0002, Maximum RTT = ...      statistics: min, max, avg
//	rtt min/avg/max = 0.2/0.3/0.5 ms             the same
//	Heartbeat 7 lost / Missing packets: 3 4      heartbeat server: those seqs lost
//	Lost heartbeats: [6] / [25, 26]              the same (a Python list, not an address)
//	Lost heartbeat 6 from ('127.0.0.1', 36500)   heartbeat 6 lost (not 36500)
//	Missing 1 heartbeat(s)                       a count, no seq
//	total number of packets lost = 2             heartbeat server: a count, no seq
//	Client has disconnected / stopped responding heartbeat server: the client is down
//	Client is back up                            heartbeat server: the client is up
//	considered down after 10 seconds             heartbeat server: its down threshold, 10 s
//
// A heartbeat client's datagrams, judged on its link, may be
// "Heartbeat <seq> <time>" or "<seq> <time>": the sheet asks for a
// sequence number and a timestamp, not a keyword.
//
// Every line taken for something is also reported as it was read: a
// debug Log event `read "<line>" as <what>` (Reading splits it), such as
// `read "Packets lost: 3" as statistics: 3 lost of the pings sent (a count,
// not ping 3 lost)`, so that a grader's evidence quotes the line and the
// reading wherever a line could be read two ways.
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
//     "no response" or "lost": "Request timed out". A count of lost pings
//     ("Lost=4", "Packets lost: 3", "total number of packets lost = 1",
//     "3 packets lost") is a statistic, not a timeout; with no percentage
//     printed, the loss is that count over the pings sent.
//   - a reply line holds "PING <seq>" (the server's answer, in any case)
//     and/or a round-trip time: "PING 3 1764147583.123456 RTT: 0.000213
//     seconds", "Reply from 127.0.0.1: PING 3 ... time=0.21 ms",
//     "b'PING 3 1764147583.12' 0.000213". The RTT is the number after "rtt",
//     "round trip (time)", "delay", "elapsed" or "time" (a Unix time, a number
//     of a million or more without a unit, is never an RTT); else the last
//     number with a unit; else the last number that is neither the seq nor a
//     Unix time. A "PING <seq>" line without an RTT may be followed by an
//     "RTT: x" line that completes it.
//   - a line that says sent, send or sending, or that starts, case and all,
//     as the sheet's ping "Ping <seq> <time>" with no round-trip time and
//     no word of a reply on it ("received", "reply", "from", "PING"; the
//     program showing its own ping: the sheet's server answers "PING"),
//     and every other line, is not an outcome.
//
// Addresses are not numbers: 127.0.0.1:5000, [::1]:5000 (brackets with a
// colon inside; "[6]" is a Python list), Python's tuples ('127.0.0.1',
// 12000) and ('::1', 12000, 0, 0), clock times (12:30:01) and dates as
// time.ctime() or ISO 8601 print them (a ping's time echoed in its reply)
// are skipped wherever numbers are read.
//
// Heartbeat server. A line that says "up again", "back up", "is up", "came
// back", "back online", "alive again", "resumed", "reconnected" or
// "recovered" reports a client up; otherwise one that says "down",
// "stopped", "dead", "offline", "not responding", "inactive", "no
// heartbeat", "disconnected" or "timed out" reports it down; otherwise one
// that says "lost" or "missing", and does not count them ("total",
// "number of", "lost = 2"), reports lost seqs: every whole number on it, with ranges written 4-6, 4 to
// 6 or 4..6, except addresses (127.0.0.1:5000), times (12:30:01), numbers
// with a fraction, percentages and counts ("3 packets", "1 heartbeat(s)").
//
// A heartbeat server's line that states its threshold ("a client is
// considered down after 10 seconds", "if no heartbeat for 7 s the client is
// assumed stopped", "timeout = 5 s") is read as that threshold (the number
// with a unit, else the first), and as a client down too if it also says
// so: a statement printed at start-up comes before any heartbeat.
//
// Web client. The response as printed: the first line that starts with
// "HTTP/1.x NNN" is the status line, the lines up to the first empty one
// are the headers, the rest is the body. A line printed as a Python bytes
// literal (b'HTTP/1.1 200 OK\r\n...') is unescaped first.
//
// The ping server, web server and heartbeat client print nothing that
// counts: they are judged by their traffic alone.
package plain
