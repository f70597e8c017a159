"""The go-plugin side of a socklab plugin, done for the author.

serve(role, run) is what plugins/sdk's Serve is in Go. It serves, on a
loopback TCP port:

  - the role's service (e.g. socklab.v1.PingClient): Run hands the config
    to the main thread, which calls run(config, out) while the Run call
    streams out's events; Stop makes out.stopped true, closes the sockets
    given to out.ready or out.close_on_stop and wakes the main thread from
    a blocking call with a signal, so a recvfrom or accept raises OSError;
  - grpc.health.v1.Health, reporting "plugin" SERVING, as go-plugin asks;
  - plugin.GRPCController: Shutdown ends the process;
  - plugin.GRPCStdio: what is printed (see socklab.stdio).

Then it writes the handshake line "1|2|tcp|127.0.0.1:PORT|grpc" on stdout.
It ends the process when the host shuts the plugin down, and when the host
is gone, even killed with SIGKILL. The services are registered by hand with
grpc's generic handlers from the generated messages: all roles share one
Run/Stop shape, and no *_pb2_grpc.py stubs means protoc alone regenerates
everything.
"""

import concurrent.futures
import contextlib
import os
import queue
import signal
import sys
import sysconfig
import threading
import time
import traceback

import grpc
from google.protobuf import empty_pb2

from socklab import fields, stdio
from socklab.goplugin import grpc_controller_pb2, grpc_stdio_pb2, health_pb2
from socklab.outbox import Outbox
from socklab.v1 import common_pb2

# The handshake host and plugins agree on (plugins/sdk/sdk.go).
CORE_PROTOCOL_VERSION = 1  # go-plugin's own
APP_PROTOCOL_VERSION = 2  # internal/goplugin.ProtocolVersion
MAGIC_COOKIE_KEY = "SOCKLAB_PLUGIN"
MAGIC_COOKIE_VALUE = "udp-tcp-playground"
# The service name go-plugin checks with the health service.
HEALTH_SERVICE = "plugin"

# How often the plugin checks that its host is alive.
PARENT_POLL_INTERVAL = 0.2
# After Shutdown, how long the author's code may take to return before the
# process ends anyway; go-plugin kills it after 2 s.
SHUTDOWN_GRACE = 1.0
# Bounds the wait, at the end of Run, for what the author printed to reach
# the host: it is reached at once unless the host or the machine is slow
# (plugins/sdk has the same wait, stdioDrainLimit).
STDOUT_DRAIN_LIMIT = 2.0
# Interrupts the main thread's blocking call on Stop. Its handler does
# nothing: the interrupted call is retried, and fails on a closed socket.
WAKE_SIGNAL = signal.SIGUSR1

# Where the frames of a traceback that are not the author's code live.
_NOT_THE_AUTHORS = (os.path.dirname(os.path.abspath(__file__)) + os.sep, sysconfig.get_paths()["stdlib"] + os.sep)


def serve(role, run):
    """Serves run as role (a socklab.roles.Role) to the socklab host and
    never returns. Run directly from a shell, it explains what it is and
    exits with status 1."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        program = sys.argv[0]
        sys.stderr.write(
            f"{program} is a socklab plugin: the socklab host starts it.\n"
            f"Name it in a lab file, for example:\n"
            f'  plugin {{\n    command = ["/usr/bin/python3", "{program}"]\n  }}\n')
        sys.exit(1)
    _Plugin(role, run).serve()


class _Call:
    """The one Run call of a plugin process."""

    def __init__(self, config, events_type):
        self.config = config
        self.outbox = Outbox()
        self.events = events_type(self.outbox.put)


class _Plugin:
    """One plugin process: its gRPC services, and its main thread, which
    runs the author's function and then waits for Shutdown."""

    def __init__(self, role, run):
        self._role = role
        self._run = run
        self._calls = queue.SimpleQueue()  # the Run call for the main thread; None: shut down
        self._stdout = stdio.Relay()
        self._main_thread = threading.get_ident()
        self._lock = threading.Lock()
        self._call = None
        self._stopped = False  # Stop came, perhaps before Run

    def serve(self):
        signal.signal(WAKE_SIGNAL, lambda signum, frame: None)
        server = grpc.server(
            concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="socklab-grpc"),
            handlers=self._handlers())
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        # Straight to file descriptor 1: ahead of anything printed before
        # serve() that still sits in sys.stdout's buffer.
        os.write(1, f"{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|tcp|127.0.0.1:{port}|grpc\n".encode())
        self._stdout.capture()
        stdio.log_to_stderr()
        threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), name="socklab-parent", daemon=True).start()

        call = self._calls.get()
        if call is not None:
            self._execute(call)
            self._calls.get()  # the host's Shutdown
        self._stdout.close(SHUTDOWN_GRACE)
        server.stop(SHUTDOWN_GRACE).wait()
        # os._exit: a thread the author left running cannot hold the
        # process, as a goroutine cannot hold a Go plugin.
        os._exit(0)

    def _handlers(self):
        role = self._role
        return [
            grpc.method_handlers_generic_handler(role.service, {
                "Run": grpc.unary_stream_rpc_method_handler(
                    self._run_rpc, role.config.FromString, role.batch.SerializeToString),
                "Stop": _unary(self._stop_rpc, common_pb2.StopRequest, common_pb2.StopReply),
            }),
            grpc.method_handlers_generic_handler(_service_name(health_pb2, "Health"), {
                "Check": _unary(self._check_rpc, health_pb2.HealthCheckRequest, health_pb2.HealthCheckResponse),
            }),
            grpc.method_handlers_generic_handler(_service_name(grpc_controller_pb2, "GRPCController"), {
                "Shutdown": _unary(self._shutdown_rpc, grpc_controller_pb2.Empty, grpc_controller_pb2.Empty),
            }),
            grpc.method_handlers_generic_handler(_service_name(grpc_stdio_pb2, "GRPCStdio"), {
                "StreamStdio": grpc.unary_stream_rpc_method_handler(
                    self._stdout.stream, empty_pb2.Empty.FromString, grpc_stdio_pb2.StdioData.SerializeToString),
            }),
        ]

    def _execute(self, call):
        """Runs the author's function in the main thread, so that the
        signal of Stop can interrupt its blocking calls."""
        error = None
        try:
            self._run(call.config, call.events)
        except SystemExit as e:
            if e.code not in (None, 0):
                error = f"SystemExit: {e.code}"
        except BaseException as e:
            error = describe(e)
            with contextlib.suppress(OSError):  # stderr gone with the host
                traceback.print_exc()
        self._stdout.finish(STDOUT_DRAIN_LIMIT)
        call.outbox.finish(error)

    def _run_rpc(self, config, context):
        call = _Call(config, self._role.events)
        with self._lock:
            if self._call is not None:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                              "Run was already called: a plugin process runs one component")
            self._call = call
            if self._stopped:
                call.events.stop()
        context.add_callback(call.outbox.cancel)
        self._calls.put(call)
        error = yield from self._batches(call.outbox)
        if error is not None:
            context.set_code(grpc.StatusCode.UNKNOWN)
            context.set_details(fields.text(error))

    def _batches(self, outbox):
        """Run's stream: the outbox's bursts as the role's batch messages;
        returns the Run's error."""
        bursts = outbox.drain()
        while True:
            try:
                burst = next(bursts)
            except StopIteration as end:
                return end.value
            yield self._role.batch(events=burst)

    def _stop_rpc(self, request, context):
        with self._lock:
            self._stopped = True
            call = self._call
        if call is not None:
            call.events.stop()
            signal.pthread_kill(self._main_thread, WAKE_SIGNAL)
        return common_pb2.StopReply()

    def _check_rpc(self, request, context):
        if request.service not in ("", HEALTH_SERVICE):
            context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {request.service!r}")
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    def _shutdown_rpc(self, request, context):
        self._calls.put(None)
        threading.Thread(target=self._exit_after_grace, name="socklab-shutdown", daemon=True).start()
        return grpc_controller_pb2.Empty()

    def _exit_after_grace(self):
        """Ends the process if the main thread, still in the author's code,
        has not done so within SHUTDOWN_GRACE."""
        time.sleep(SHUTDOWN_GRACE)
        self._stdout.close(0)
        os._exit(0)


def describe(error):
    """The message of a Run that raised error: its type, its text and the
    last line of the author's code it passed through, e.g.
    "ConnectionRefusedError: [Errno 111] Connection refused (client.py:23)"."""
    text = f"{type(error).__name__}: {error}"
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(_NOT_THE_AUTHORS)]
    if frames:
        text += f" ({os.path.basename(frames[-1].filename)}:{frames[-1].lineno})"
    return text


def _unary(handler, request_type, reply_type):
    return grpc.unary_unary_rpc_method_handler(handler, request_type.FromString, reply_type.SerializeToString)


def _service_name(module, name):
    return module.DESCRIPTOR.services_by_name[name].full_name


def _exit_when_orphaned(parent):
    """Ends the process once its parent, the host, is gone: a host killed
    with SIGKILL cannot stop its plugins itself."""
    while True:
        time.sleep(PARENT_POLL_INTERVAL)
        if os.getppid() != parent:
            with contextlib.suppress(OSError):  # stderr was a pipe to the host
                sys.stderr.write(f"socklab plugin: host (pid {parent}) is gone; exiting\n")
                sys.stderr.flush()
            os._exit(3)
