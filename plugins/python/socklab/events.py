"""The `out` a run function gets: the events it reports, and the host's
request to stop.

One class per role, with a method per event of the role's .proto
(proto/socklab/v1), as plugins/sdk has in Go. Every event is stamped with
the time the method is called, except where a method says otherwise.
Arguments are converted as socklab.fields says: seconds for durations and
times, a recvfrom/accept address for a peer, str or bytes for a payload,
and any bytes or str for text (a request's target as recv gave it): text
that is not UTF-8 is escaped, never refused.

To test a run function without the host, give the class a list's append:

    events = []
    run(config, PingClientEvents(events.append))
"""

import socket
import threading
import time

from socklab import fields
from socklab.v1 import common_pb2, heartbeat_pb2, ping_pb2, web_pb2


class Events:
    """What every role's events have. event_type, set by each subclass, is
    the role's event message, e.g. PingClientEvent."""

    event_type = None

    def __init__(self, send):
        """send receives each event message, stamped and complete."""
        self._send = send
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets = []

    def send(self, kind, at=None, **body):
        """Sends an event built by hand: kind names a field of the role's
        `event` oneof ("reply", "lost", ...), body its fields; at is when it
        happened, in Unix seconds, if not now."""
        event = self.event_type()
        if at is None:
            event.time.FromNanoseconds(time.time_ns())
        else:
            fields.fill(event, {"time": at})
        field = event.DESCRIPTOR.fields_by_name.get(kind)
        if field is None or field.containing_oneof is None:
            kinds = ", ".join(f.name for f in event.DESCRIPTOR.oneofs_by_name["event"].fields)
            raise TypeError(f"{event.DESCRIPTOR.name} has no event {kind!r}; its events: {kinds}")
        fields.fill(getattr(event, kind), body)
        getattr(event, kind).SetInParent()
        self._send(event)

    def log(self, message):
        """A line the host shows under the component's name: a str, bytes
        (as socklab.fields.text shows them) or anything str() takes."""
        self.send("log", level=common_pb2.Log.LEVEL_INFO, message=_line(message))

    def warn(self, message):
        """log at warning level."""
        self.send("log", level=common_pb2.Log.LEVEL_WARN, message=_line(message))

    def summary(self, **totals):
        """The role's Summary with the given fields; send it last."""
        self.send("summary", **totals)

    @property
    def stopped(self):
        """True once the host has asked the component to stop."""
        return self._stop.is_set()

    def wait(self, seconds):
        """Sleeps for seconds, or less if the host asks to stop; returns
        True if it did (then end the run)."""
        return self._stop.wait(max(0.0, seconds))

    def close_on_stop(self, sock):
        """Closes sock when the host asks to stop (at once if it already
        has), so that a recvfrom, accept or recv blocked on it in the main
        thread raises OSError. Returns sock."""
        with self._lock:
            if not self._stop.is_set():
                self._sockets.append(sock)
                return sock
        sock.close()
        return sock

    def stop(self):
        """The host asks to stop: set stopped, end wait, close the sockets
        given to close_on_stop. The plugin calls this on Stop."""
        with self._lock:
            self._stop.set()
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()


def _line(message):
    return message if isinstance(message, (str, bytes, bytearray)) else str(message)


class ServerEvents(Events):
    """What the events of a server role have."""

    def ready(self, where):
        """The server takes traffic at where: its bound socket, or a
        "host:port". Call it once bound; the host starts the clients then.
        A socket given here is closed on Stop (see close_on_stop)."""
        if isinstance(where, socket.socket):
            self.close_on_stop(where)
            where = where.getsockname()
        self.send("ready", address=where)


class PingServerEvents(ServerEvents):
    """A ping server's events (PingServerEvent in ping.proto)."""

    event_type = ping_pb2.PingServerEvent

    def echo(self, peer, request, reply):
        """The datagram request from peer was answered with reply."""
        self.send("echo", peer=peer, request=request, reply=reply)

    def drop(self, peer, request):
        """The datagram request from peer was deliberately not answered."""
        self.send("drop", peer=peer, request=request)


class PingClientEvents(Events):
    """A ping client's events (PingClientEvent in ping.proto)."""

    event_type = ping_pb2.PingClientEvent

    def sent(self, seq, sent_at, payload):
        """Ping seq went out at sent_at, the time written in payload; the
        event is dated sent_at."""
        self.send("sent", at=sent_at, seq=seq, sent_at=sent_at, payload=payload)

    def reply(self, seq, rtt, payload, peer):
        """The reply to ping seq came from peer after rtt seconds."""
        self.send("reply", seq=seq, rtt=rtt, payload=payload, peer=peer)

    def timeout(self, seq):
        """No reply to ping seq in time ("Request timed out")."""
        self.send("timeout", seq=seq)

    def late(self, seq, rtt, payload):
        """A reply to ping seq came rtt seconds after it was sent, after its
        timeout."""
        self.send("late", seq=seq, rtt=rtt, payload=payload)


class HeartbeatServerEvents(ServerEvents):
    """A heartbeat server's events (HeartbeatServerEvent in heartbeat.proto)."""

    event_type = heartbeat_pb2.HeartbeatServerEvent

    def heartbeat(self, client, peer, seq, sent_at, delay):
        """Heartbeat seq of client came from peer; sent_at is the time
        written in it, delay the one-way delay in seconds."""
        self.send("heartbeat", client=client, peer=peer, seq=seq, sent_at=sent_at, delay=delay)

    def lost(self, client, first_seq, last_seq, at=None):
        """Seqs first_seq..last_seq of client did not come in the reorder
        window; at is when the window ended, if not now."""
        self.send("lost", at=at, client=client, first_seq=first_seq, last_seq=last_seq)

    def duplicate(self, client, seq):
        """Heartbeat seq of client came again."""
        self.send("duplicate", client=client, seq=seq)

    def reordered(self, client, seq, after_seq):
        """Heartbeat seq of client came after after_seq, within the window."""
        self.send("reordered", client=client, seq=seq, after_seq=after_seq)

    def restart(self, client, seq, previous_seq):
        """client started counting again at seq, after previous_seq."""
        self.send("restart", client=client, seq=seq, previous_seq=previous_seq)

    def down(self, client, last_seq, last_seen, at=None):
        """client went silent after last_seq, last heard at last_seen; at
        is when dead_after ran out, if not now."""
        self.send("down", at=at, client=client, last_seq=last_seq, last_seen=last_seen)

    def up(self, client, seq, silent_for):
        """client, down, sent seq after silent_for seconds."""
        self.send("up", client=client, seq=seq, silent_for=silent_for)

    def malformed(self, peer, payload, reason):
        """A datagram from peer that is not a heartbeat, and why."""
        self.send("malformed", peer=peer, payload=payload, reason=reason)


class HeartbeatClientEvents(Events):
    """A heartbeat client's events (HeartbeatClientEvent in heartbeat.proto)."""

    event_type = heartbeat_pb2.HeartbeatClientEvent

    def sent(self, seq, sent_at, payload):
        """Heartbeat seq went out at sent_at, the time written in payload;
        the event is dated sent_at."""
        self.send("sent", at=sent_at, seq=seq, sent_at=sent_at, payload=payload)

    def paused(self, pause_for):
        """The client goes silent for pause_for seconds."""
        self.send("paused", pause_for=pause_for)

    def resumed(self, next_seq):
        """The pause is over; next_seq goes out now."""
        self.send("resumed", next_seq=next_seq)


class WebServerEvents(ServerEvents):
    """A web server's events (WebServerEvent in web.proto)."""

    event_type = web_pb2.WebServerEvent

    def request(self, **fields):
        """One request answered or refused: the fields of WebRequest (peer,
        method, target, proto, status, bytes, duration, reason)."""
        self.send("request", **fields)


class WebClientEvents(Events):
    """A web client's events (WebClientEvent in web.proto)."""

    event_type = web_pb2.WebClientEvent

    def response(self, **fields):
        """What the server answered for one path: the fields of WebResponse
        (path, status_line, status, headers, body_size, body, duration,
        error); headers a list of (name, value) pairs or dicts."""
        headers = fields.pop("headers", None) or []
        fields["headers"] = [h if isinstance(h, dict) else {"name": h[0], "value": h[1]} for h in headers]
        self.send("response", **fields)
