"""Tests of the go-plugin side: a plugin subprocess driven over gRPC the way
the socklab host drives it (handshake, health check, stdio, Run, Stop,
Shutdown)."""

import os
import socket
import subprocess
import sys
import threading
import time
import unittest

import grpc
from google.protobuf import empty_pb2

from socklab import plugin
from socklab.goplugin import grpc_controller_pb2, grpc_stdio_pb2, health_pb2
from socklab.v1 import common_pb2, ping_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
# Bounds every wait; a failure guard, not a speed claim.
GUARD = 30


class FakeHost:
    """Starts tests/plugin_fixture.py MODE as the host would and calls it."""

    def __init__(self, test, mode):
        env = dict(os.environ, SOCKLAB_PLUGIN="udp-tcp-playground", PLUGIN_PROTOCOL_VERSIONS="2",
                   PYTHONPATH=os.path.dirname(HERE), PYTHONDONTWRITEBYTECODE="1")
        # Buffered, as stdout to a pipe is by default: the early print waits.
        env.pop("PYTHONUNBUFFERED", None)
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "plugin_fixture.py"), mode],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        test.addCleanup(self.close)
        self.handshake = self.proc.stdout.readline().decode()
        address = self.handshake.split("|")[3]
        self.channel = grpc.insecure_channel(address)
        self.stdout = []
        self.stdio = self.channel.unary_stream(
            "/plugin.GRPCStdio/StreamStdio", empty_pb2.Empty.SerializeToString,
            grpc_stdio_pb2.StdioData.FromString)(empty_pb2.Empty(), timeout=GUARD)
        self.stdio_reader = threading.Thread(target=self._read_stdio, daemon=True)
        self.stdio_reader.start()

    def _read_stdio(self):
        try:
            for chunk in self.stdio:
                self.stdout.append(chunk.data.decode())
        except grpc.RpcError:
            pass

    def unary(self, method, request, reply_type):
        return self.channel.unary_unary(method, type(request).SerializeToString, reply_type.FromString)(
            request, timeout=GUARD)

    def run(self, service, config, batch_type):
        """Calls Run and yields its events, taken out of their batches."""
        batches = self.channel.unary_stream(
            "/socklab.v1.%s/Run" % service, type(config).SerializeToString, batch_type.FromString)(
            config, timeout=GUARD)
        for batch in batches:
            yield from batch.events

    def shutdown(self):
        self.unary("/plugin.GRPCController/Shutdown", grpc_controller_pb2.Empty(), grpc_controller_pb2.Empty)
        self.channel.close()
        return self.proc.wait(GUARD)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


class PluginTest(unittest.TestCase):
    def test_a_server_from_handshake_to_shutdown(self):
        host = FakeHost(self, "echo")
        port = host.handshake.split("|")[3].split(":")[1]
        self.assertEqual(host.handshake, "1|2|tcp|127.0.0.1:%s|grpc\n" % port)
        health = host.unary("/grpc.health.v1.Health/Check", health_pb2.HealthCheckRequest(service="plugin"),
                            health_pb2.HealthCheckResponse)
        self.assertEqual(health.status, health_pb2.HealthCheckResponse.SERVING)

        before = time.time_ns()
        events = host.run("PingServer", ping_pb2.PingServerConfig(listen="127.0.0.1:0"), ping_pb2.PingServerBatch)
        ready = next(events)
        self.assertEqual(ready.WhichOneof("event"), "ready")
        self.assertGreaterEqual(ready.time.ToNanoseconds(), before)

        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(client.close)
        client.settimeout(GUARD)
        client.sendto(b"Ping 1 2", plugin_address(ready.ready.address))
        self.assertEqual(client.recvfrom(100)[0], b"PING 1 2")
        self.assertEqual(next(events).echo.reply, b"PING 1 2")

        # Stop wakes the server out of its blocking recvfrom.
        host.unary("/socklab.v1.PingServer/Stop", common_pb2.StopRequest(), common_pb2.StopReply)
        rest = list(events)
        self.assertEqual([ev.WhichOneof("event") for ev in rest], ["summary"])
        self.assertEqual(rest[0].summary.echoed, 1)

        self.assertEqual(host.shutdown(), 0)
        printed = "".join(host.stdout)
        self.assertIn("printed before serve, without a flush\n", printed)
        self.assertIn("serving on ('127.0.0.1', %d)\n" % plugin_address(ready.ready.address)[1], printed)

    def test_an_exception_fails_the_run_and_names_itself(self):
        host = FakeHost(self, "raise")
        events = host.run("PingClient", ping_pb2.PingClientConfig(server="127.0.0.1:9"), ping_pb2.PingClientBatch)
        with self.assertRaises(grpc.RpcError) as failed:
            list(events)
        self.assertEqual(failed.exception.code(), grpc.StatusCode.UNKNOWN)
        self.assertEqual(failed.exception.details(), "ZeroDivisionError: division by zero (plugin_fixture.py:31)")
        self.assertEqual(host.shutdown(), 0)
        self.assertIn(b"Traceback (most recent call last)", host.proc.stderr.read())

    def test_what_run_printed_is_carried_before_run_ends(self):
        # The host closes the connection, and the stdio stream with it, as
        # soon as Run has ended: by then the stream must have carried every
        # line and ended.
        host = FakeHost(self, "tail")
        events = list(host.run("PingClient", ping_pb2.PingClientConfig(), ping_pb2.PingClientBatch))
        self.assertEqual([ev.WhichOneof("event") for ev in events], ["summary"])
        host.stdio_reader.join(GUARD / 3)  # before the stream's own deadline
        self.assertFalse(host.stdio_reader.is_alive(), "the stdio stream went on after Run ended")
        lines = "".join(host.stdout).splitlines()
        self.assertEqual(lines[-1], "line 500")
        self.assertEqual(len([line for line in lines if line.startswith("line ")]), 500)
        self.assertEqual(host.shutdown(), 0)

    def test_a_second_run_is_refused(self):
        host = FakeHost(self, "echo")
        config = ping_pb2.PingServerConfig(listen="127.0.0.1:0")
        first = host.run("PingServer", config, ping_pb2.PingServerBatch)
        next(first)
        with self.assertRaises(grpc.RpcError) as refused:
            next(host.run("PingServer", config, ping_pb2.PingServerBatch))
        self.assertEqual(refused.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
        self.assertEqual(host.shutdown(), 0)

    def test_without_the_host_it_explains_itself(self):
        env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
        env.pop("SOCKLAB_PLUGIN", None)
        done = subprocess.run([sys.executable, os.path.join(HERE, "plugin_fixture.py"), "echo"],
                              capture_output=True, env=env, timeout=GUARD)
        self.assertEqual(done.returncode, 1)
        self.assertIn(b"is a socklab plugin: the socklab host starts it", done.stderr)

    def test_describe_names_the_authors_line(self):
        try:
            int("ten")
        except ValueError as e:
            self.assertRegex(plugin.describe(e), r"^ValueError: invalid literal for int\(\) with base 10: 'ten' \(test_plugin.py:\d+\)$")


def plugin_address(host_port):
    host, port = host_port.rsplit(":", 1)
    return host, int(port)


if __name__ == "__main__":
    unittest.main()
