"""Unit tests of the event senders and the value conversions behind them."""

import socket
import threading
import time
import unittest

from socklab import events, fields
from socklab.v1 import common_pb2


class ConvertTest(unittest.TestCase):
    def test_address(self):
        self.assertEqual(fields.address("127.0.0.1:12000"), ("127.0.0.1", 12000))
        self.assertEqual(fields.address("[::1]:80"), ("::1", 80))
        with self.assertRaisesRegex(ValueError, "not host:port"):
            fields.address("localhost")

    def test_host_port(self):
        self.assertEqual(fields.host_port(("127.0.0.1", 5000)), "127.0.0.1:5000")
        self.assertEqual(fields.host_port(("::1", 5000, 0, 0)), "[::1]:5000")

    def test_text(self):
        for value, want in [
            (b"/index.html", "/index.html"),
            ("caf\u00e9", "caf\u00e9"),
            (b"GET /\xff", "GET /\\xff"),
            (bytearray(b"caf\xc3"), "caf\\xc3"),
            (b"GET /\xfe".decode("utf-8", "surrogateescape"), "GET /\\xfe"),
            ("\ud800", "\\xed\\xa0\\x80"),
            ("C:\\x41", "C:\\x41"),
        ]:
            got = fields.text(value)
            self.assertEqual(got, want, value)
            got.encode("utf-8")  # valid UTF-8: no surrogate left

    def test_seconds(self):
        from google.protobuf import duration_pb2
        self.assertEqual(fields.seconds(duration_pb2.Duration(seconds=1, nanos=500000000)), 1.5)


class PingClientEventsTest(unittest.TestCase):
    def setUp(self):
        self.sent = []
        self.out = events.PingClientEvents(self.sent.append)

    def test_sent_is_dated_when_the_ping_left(self):
        self.out.sent(1, 1700000000.25, "Ping 1 1700000000.250000")
        ev = self.sent[0]
        self.assertEqual(ev.WhichOneof("event"), "sent")
        self.assertEqual(ev.time.ToNanoseconds(), 1700000000250000000)
        self.assertEqual(ev.sent.sent_at, ev.time)
        self.assertEqual(ev.sent.payload, b"Ping 1 1700000000.250000")

    def test_other_events_are_stamped_when_sent(self):
        before = time.time_ns()
        self.out.reply(2, 0.0015, b"PING 2", ("127.0.0.1", 12000))
        after = time.time_ns()
        ev = self.sent[0]
        self.assertTrue(before <= ev.time.ToNanoseconds() <= after)
        self.assertEqual(ev.reply.rtt.ToNanoseconds(), 1500000)
        self.assertEqual(ev.reply.peer, "127.0.0.1:12000")

    def test_an_event_without_fields_is_still_set(self):
        self.out.send("timeout")
        self.assertEqual(self.sent[0].WhichOneof("event"), "timeout")

    def test_log_and_summary(self):
        self.out.warn("careful")
        self.out.summary(transmitted=3, received=2, loss_percent=100 / 3, rtt_min=0.001)
        self.assertEqual(self.sent[0].log.level, common_pb2.Log.LEVEL_WARN)
        self.assertEqual(self.sent[0].log.message, "careful")
        self.assertEqual(self.sent[1].summary.received, 2)
        self.assertEqual(self.sent[1].summary.rtt_min.ToNanoseconds(), 1000000)

    def test_mistakes_name_what_exists(self):
        with self.assertRaisesRegex(TypeError, r"PingClientSummary has no field 'lost'; its fields: transmitted, received"):
            self.out.summary(lost=1)
        with self.assertRaisesRegex(TypeError, r"PingClientEvent has no event 'echo'; its events: log, sent, reply"):
            self.out.send("echo")


class NestedFieldsTest(unittest.TestCase):
    def test_heartbeat_summary_from_dicts(self):
        sent = []
        events.HeartbeatServerEvents(sent.append).summary(
            clients=[{"client": "a", "received": 3, "delay_avg": 0.002, "time_down": 0}], malformed=1)
        totals = sent[0].summary.clients[0]
        self.assertEqual((totals.client, totals.received, totals.delay_avg.ToNanoseconds()), ("a", 3, 2000000))
        self.assertTrue(totals.HasField("time_down"))

    def test_lost_dated_at_the_window_end(self):
        sent = []
        events.HeartbeatServerEvents(sent.append).lost("a", 3, 4, at=1700000001.0)
        self.assertEqual(sent[0].time.seconds, 1700000001)

    def test_text_that_is_not_utf8_is_escaped_not_refused(self):
        sent = []
        out = events.WebServerEvents(sent.append)
        out.request(peer=("127.0.0.1", 4000), method=b"G\xffT", target=b"/\xff", proto="HTTP/1.0",
                    status=400, reason="bad \udcfe".encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass"))
        out.log(b"got \xc3")
        out.warn(ValueError("x\udcff"))
        request = sent[0].request
        self.assertEqual((request.method, request.target), ("G\\xffT", "/\\xff"))
        self.assertEqual(request.reason, "bad \\xfe")
        self.assertEqual((sent[1].log.message, sent[2].log.message), ("got \\xc3", "x\\xff"))
        for ev in sent:
            ev.SerializeToString()
        client = []
        events.WebClientEvents(client.append).response(
            path="/x", status_line=b"HTTP/1.1 200 \xffK", headers=[(b"X-Odd", b"caf\xc3")], body=b"\xff")
        response = client[0].response
        self.assertEqual((response.status_line, response.headers[0].value, response.body),
                         ("HTTP/1.1 200 \\xffK", "caf\\xc3", b"\xff"))

    def test_web_maps_and_headers(self):
        sent = []
        events.WebServerEvents(sent.append).summary(requests=2, by_status={200: 1, 404: 1})
        events.WebClientEvents(sent.append).response(path="/", status=200, headers=[("Content-Length", "5")])
        self.assertEqual(dict(sent[0].summary.by_status), {200: 1, 404: 1})
        self.assertEqual(sent[1].response.headers[0].name, "Content-Length")


class StopTest(unittest.TestCase):
    def test_stop_closes_the_ready_socket_and_ends_wait(self):
        sent = []
        out = events.PingServerEvents(sent.append)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        out.ready(sock)
        self.assertEqual(sent[0].ready.address, "127.0.0.1:%d" % sock.getsockname()[1])
        threading.Timer(0.05, out.stop).start()
        start = time.monotonic()
        self.assertTrue(out.wait(10))
        self.assertLess(time.monotonic() - start, 5)
        self.assertTrue(out.stopped)
        self.assertEqual(sock.fileno(), -1)

    def test_close_on_stop_after_stop_closes_at_once(self):
        out = events.PingClientEvents(lambda ev: None)
        out.stop()
        sock = out.close_on_stop(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        self.assertEqual(sock.fileno(), -1)
        self.assertTrue(out.wait(0))


if __name__ == "__main__":
    unittest.main()


class EverySenderTest(unittest.TestCase):
    """Every event of every service in proto/socklab/v1 that streams events
    has a sender method in its role's class, which sends that kind."""

    def test_every_proto_event_has_a_sender(self):
        import importlib
        import inspect
        import pkgutil

        import socklab.v1
        from socklab import roles

        by_service = {r.service: r for r in vars(roles).values() if isinstance(r, roles.Role)}
        walked = 0
        for module_info in pkgutil.iter_modules(socklab.v1.__path__):
            module = importlib.import_module("socklab.v1." + module_info.name)
            for service in module.DESCRIPTOR.services_by_name.values():
                run = service.methods_by_name.get("Run")
                if run is None:
                    continue
                walked += 1
                role = by_service.get(service.full_name)
                if role is None:
                    self.fail(f"{service.full_name}: socklab.roles has no role serving it")
                event = run.output_type.fields_by_name["events"].message_type
                for field in event.oneofs_by_name["event"].fields:
                    names = ["log", "warn"] if field.name == "log" else [field.name]
                    for name in names:
                        with self.subTest(service=service.full_name, event=field.name, method=name):
                            sent = []
                            out = role.events(sent.append)
                            method = getattr(out, name, None)
                            self.assertIsNotNone(method, f"{type(out).__name__} has no method {name}")
                            required = [p for p in inspect.signature(method).parameters.values()
                                        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
                            method(*[None] * len(required))
                            self.assertEqual([e.WhichOneof("event") for e in sent], [field.name])
        self.assertGreaterEqual(walked, 6)
