// Package link is the network a lab's host runs between each client and its
// server: a UDP relay (NewUDP) and a TCP proxy (NewTCP) on loopback that can
// impair the traffic the way a bad network would, record what they did to
// every datagram and segment (the ground truth that checks judge a client
// against), summarise it per link, and copy all of it into a pcap file that
// Wireshark and tshark open (Capture).
//
// A client talks to the link's front address instead of the server's. Each
// direction has its own Impairment; the zero Impairment is a clean link, and a
// clean TCP link that nobody observes forwards with splice(2). All randomness
// comes from Config.Seed, so one seed and the same traffic give the same fates.
//
// A typical host, per client/server pair:
//
//	capture, err := link.CreateCapture("lab.pcap") // once per run, optional
//	l, err := link.NewUDP(ctx, link.Config{
//		Name:     "ping",
//		Target:   serverAddr,
//		ToServer: link.Impairment{Loss: 0.3},
//		Seed:     seed,
//		Sink:     func(ev link.Event) { events = append(events, ev) },
//		Capture:  capture,
//	})
//	// point the client at l.Addr(), run the lab, then:
//	l.Close()
//	fmt.Println(l.Summary())
//	capture.Close() // after every link that writes to it is closed
package link
