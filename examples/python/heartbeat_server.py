# The UDP Heartbeat server of the lab sheet's optional exercise 2, written
# from UDPPingerServer.py the way a student would: a recvfrom loop, a dict
# of clients, and a look every tenth of a second for lost heartbeats and
# clients gone silent. Served as a socklab plugin; it follows the rules
# written in proto/socklab/v1/heartbeat.proto.
import re
import time
from socket import *

import socklab

# How often the server looks for lost heartbeats and silent clients.
TICK = 0.1
# A time is Unix seconds with an optional fraction, not a date.
UNIX_TIME = re.compile(r"[0-9]+(\.[0-9]+)?")


def run(config, out):
    serverSocket = socket(AF_INET, SOCK_DGRAM)
    serverSocket.bind(socklab.address(config.listen))
    serverSocket.settimeout(TICK)
    # The address, not the socket: on Stop we still read what is waiting.
    out.ready(serverSocket.getsockname())

    server = Server(config, out)
    next_check = time.time() + TICK
    while not out.stopped:
        try:
            message, address = serverSocket.recvfrom(4096)
            server.handle(message, address, time.time())
        except timeout:
            pass
        if time.time() >= next_check:
            server.check(time.time())
            next_check = time.time() + TICK

    # The host stopped us: read what is already waiting, then finish.
    serverSocket.setblocking(False)
    while True:
        try:
            message, address = serverSocket.recvfrom(4096)
        except BlockingIOError:
            break
        server.handle(message, address, time.time())
    serverSocket.close()
    server.finish(time.time())


class Client:
    """What the server knows about one client."""

    def __init__(self, name):
        self.name = name
        self.first = None  # the first seq heard: counting starts there
        self.highest = 0
        self.highest_sent = 0.0  # the time written in the highest seq
        self.seen = set()
        self.gaps = []  # [first, last, deadline]: seqs that may still come until deadline
        self.last_seen = 0.0
        self.down_since = None  # when it went down; None while it is up
        self.time_down = 0.0
        self.delays = {"count": 0, "sum": 0.0, "min": 0.0, "max": 0.0}
        self.totals = {"received": 0, "lost": 0, "duplicates": 0, "reordered": 0, "restarts": 0, "late": 0}

    def fill_gap(self, seq):
        """Takes seq out of the gap it is in; False if it is in none."""
        for gap in self.gaps:
            first, last, deadline = gap
            if first <= seq <= last:
                self.gaps.remove(gap)
                if first < seq:
                    self.gaps.append([first, seq - 1, deadline])
                if seq < last:
                    self.gaps.append([seq + 1, last, deadline])
                return True
        return False


class Server:
    def __init__(self, config, out):
        self.config = config
        self.out = out
        self.clients = {}
        self.malformed = 0

    def handle(self, message, address, now):
        """Applies the rules of heartbeat.proto to one datagram."""
        peer = socklab.host_port(address)
        try:
            seq, sent_at, client_id = parse(message)
        except ValueError as problem:
            self.malformed += 1
            self.out.malformed(peer, message[:256], str(problem))
            return
        # Clients with an id are known by it, the others by their address.
        key = ("id", client_id) if client_id else ("address", peer)
        if key not in self.clients:
            self.clients[key] = Client(client_id or peer)
        c = self.clients[key]
        if c.down_since is not None:
            c.time_down += now - c.down_since
            c.down_since = None
            self.out.up(c.name, seq, now - c.last_seen)
        c.last_seen = now
        delay = now - sent_at

        if c.first is None or seq > c.highest:
            self.in_order(c, seq, sent_at, delay, peer, now)
        elif (seq < c.highest and sent_at > c.highest_sent) or c.highest - seq >= 256:
            # Counting started again: the seq went back while the send time
            # went forward, or it went back further than any reordering.
            previous = c.highest
            self.lose_gaps(c, now, everything=True)
            c.totals["restarts"] += 1
            self.out.restart(c.name, seq, previous)
            c.first = None
            self.in_order(c, seq, sent_at, delay, peer, now)
        elif c.fill_gap(seq):
            c.seen.add(seq)
            c.totals["reordered"] += 1
            self.received(c, seq, sent_at, delay, peer)
            self.out.reordered(c.name, seq, c.highest)
        elif seq in c.seen:
            c.totals["duplicates"] += 1
            self.out.duplicate(c.name, seq)
        elif seq < c.first:
            c.seen.add(seq)
            self.out.warn("client %s: seq %d was sent before seq %d, the first I heard; not counted" % (c.name, seq, c.first))
        else:
            # Too late: it was already reported lost, and stays lost.
            c.seen.add(seq)
            c.totals["late"] += 1
            self.out.warn("client %s: seq %d came %.3f s after it was sent, after it was reported lost" % (c.name, seq, delay))
        self.lose_gaps(c, now)

    def in_order(self, c, seq, sent_at, delay, peer, now):
        """seq is the new highest seq of c, or its first; the seqs skipped
        on the way may still come until the reorder window has passed."""
        if c.first is None:
            c.first = seq
            c.seen = set()
        elif seq > c.highest + 1:
            c.gaps.append([c.highest + 1, seq - 1, now + socklab.seconds(self.config.reorder_window)])
        c.seen.add(seq)
        c.highest, c.highest_sent = seq, sent_at
        self.received(c, seq, sent_at, delay, peer)

    def received(self, c, seq, sent_at, delay, peer):
        """Counts a heartbeat that came for the first time."""
        d = c.delays
        d["min"] = delay if d["count"] == 0 else min(d["min"], delay)
        d["max"] = delay if d["count"] == 0 else max(d["max"], delay)
        d["count"] += 1
        d["sum"] += delay
        c.totals["received"] += 1
        if self.config.report_heartbeats:
            self.out.heartbeat(c.name, peer, seq, sent_at, delay)

    def lose_gaps(self, c, now, everything=False):
        """Reports the gaps of c whose time is up (all of them when
        everything is set) as lost, lowest seqs first."""
        c.gaps.sort()
        keep = []
        for first, last, deadline in c.gaps:
            if not everything and now < deadline:
                keep.append([first, last, deadline])
                continue
            c.totals["lost"] += last - first + 1
            self.out.lost(c.name, first, last, at=now if everything else deadline)
        c.gaps = keep

    def check(self, now):
        """Lost heartbeats, and clients gone silent for dead_after."""
        dead_after = socklab.seconds(self.config.dead_after)
        for c in self.clients.values():
            self.lose_gaps(c, now)
            if c.down_since is None and now - c.last_seen >= dead_after:
                # Down from the moment dead_after ran out, not from this look.
                c.down_since = c.last_seen + dead_after
                print("%s has stopped: no heartbeat for %.1f seconds" % (c.name, dead_after))
                self.out.down(c.name, c.highest, c.last_seen, at=c.down_since)

    def finish(self, now):
        self.check(now)
        clients = []
        for c in sorted(self.clients.values(), key=lambda c: c.name):
            self.lose_gaps(c, now, everything=True)
            totals = dict(c.totals, client=c.name, down=c.down_since is not None)
            counted = totals["received"] + totals["lost"]
            if counted:
                totals["loss_percent"] = 100 * totals["lost"] / counted
            if c.delays["count"]:
                totals.update(delay_min=c.delays["min"], delay_max=c.delays["max"],
                              delay_avg=c.delays["sum"] / c.delays["count"])
            totals["time_down"] = c.time_down + (now - c.down_since if c.down_since is not None else 0)
            clients.append(totals)
        self.out.summary(clients=clients, malformed=self.malformed)


def parse(message):
    """The seq, send time and client id (None without one) of
    "Heartbeat <seq> <time> [<id>]" or "Ping <seq> <time>"; ValueError
    says why a datagram is not a heartbeat."""
    if len(message) > 2048:
        raise ValueError("longer than 2048 bytes")
    if any(not 32 <= b <= 126 and b not in b"\t\r\n" for b in message):
        raise ValueError("not printable text")
    fields = message.decode("ascii").split()
    if not fields:
        raise ValueError("empty")
    keyword = fields[0].lower()
    if keyword not in ("heartbeat", "ping"):
        raise ValueError("not a heartbeat: %r" % fields[0])
    if len(fields) < 3:
        raise ValueError("needs a sequence number and a time")
    if len(fields) > 4 or (len(fields) == 4 and keyword == "ping"):
        raise ValueError("too many fields")
    if len(fields) == 4 and len(fields[3]) > 64:
        raise ValueError("client id longer than 64 bytes")
    if not fields[1].isdigit() or int(fields[1]) >= 2 ** 64:
        raise ValueError("bad sequence number %r" % fields[1])
    if not UNIX_TIME.fullmatch(fields[2]):
        raise ValueError("bad time %r" % fields[2])
    sent_at = float(fields[2])
    if sent_at >= 9223372036:  # Unix nanoseconds end in 2262
        raise ValueError("time too far in the future")
    return int(fields[1]), sent_at, fields[3] if len(fields) == 4 else None


socklab.serve_heartbeat_server(run)
