// Package heartbeat is the reference implementation of the UDP Heartbeat lab,
// the optional exercise 2 of the UDP Pinger sheet: Beat is the client that
// sends numbered, timestamped heartbeats, Serve the server that tracks any
// number of clients and reports one-way delay, lost, reordered and duplicate
// heartbeats, restarts, and clients going down and coming back up.
//
// The wire format and the events are those of proto/socklab/v1/heartbeat.proto.
// Where the contract leaves a choice, the server decides as follows:
//
//   - Datagrams are read leniently: fields may be separated by any run of
//     blanks and followed by a newline, the keyword may be in any case (so
//     the Pinger's upper-cased "PING ..." counts too) or absent ("<seq>
//     <time>": the sheet asks only for a sequence number and a timestamp),
//     and seq may be 0. They
//     must be printable ASCII, the time Unix seconds with an optional
//     fraction (not a date string), and an id at most 64 bytes.
//   - A client is keyed by the id in its datagrams, or by source address when
//     there is none. Accounting starts at the first seq heard from it (the
//     client may have started before the server); seqs below that one are
//     logged and not counted.
//   - A seq above the highest seen so far is in order; the seqs skipped on the
//     way form a gap that stays pending for reorder_window. A seq that fills a
//     pending gap is Reordered (and counted as received, not lost); when the
//     window ends the rest of the gap is Lost, as one event per run of seqs.
//   - A seq that arrives after its gap was reported Lost stays lost, so the
//     Lost events always add up to the totals; it is counted as late and
//     reported as a warning Log.
//   - A seq that arrived before is a Duplicate; it counts for liveness only.
//   - A seq below the highest is a Restart when its send time is later than
//     that of the highest seq (the client began counting again; a reordered
//     or duplicated datagram carries an earlier or the same send time), or
//     when it is 256 or more below the highest (no reordering reaches that
//     far). The pending gaps of the previous run are reported Lost at once
//     and accounting starts again from the new seq, as from a first one.
//   - One-way delay is receive time minus the datagram's send time; min, avg
//     and max cover the heartbeats counted as received.
//   - A client is Down once dead_after has passed since its last datagram
//     (the Down event carries that exact moment as its time) and Up at its
//     next one; time_down runs from the moment it went down. Times are those
//     at which the server reads datagrams, and a batch of datagrams is
//     accounted before the silence checks, so a heartbeat that waited in the
//     socket while the server was busy keeps its client up.
//   - Malformed datagrams are all counted; at most 100 a second are reported
//     one by one, the rest in a Log line, so junk cannot swamp the events.
package heartbeat
