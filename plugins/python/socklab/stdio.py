"""What a Python plugin prints, on its way to the host.

stdout: after the handshake line, file descriptor 1 becomes a pipe whose
contents go to the host through go-plugin's GRPCStdio stream, so print()
shows under the component's name as fmt.Println does in a Go plugin (the
host discards the process's real stdout after the handshake). Whatever the
stream cannot carry, because it has ended or never started, goes to stderr
instead: nothing printed is lost. When the author's run returns, the
stream carries what it printed and ends before Run ends (Relay.finish):
the host closes the connection, and the stream with it, right after.

stderr stays the process's own; the host reads it directly, so a traceback
written just before the process dies still arrives. Python's logging is
sent there as the JSON lines go-plugin's hclog writes, which the host shows
with their level.
"""

import contextlib
import json
import logging
import os
import queue
import sys
import threading
import time

from socklab import outbox
from socklab.goplugin import grpc_stdio_pb2

_LEVELS = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn"}


class Relay:
    """Carries stdout to the GRPCStdio stream; see the module docstring."""

    def __init__(self):
        self._chunks = queue.SimpleQueue()  # bytes, or None: the end
        self._read_all = threading.Event()
        self._streaming = threading.Event()
        self._stream_over = threading.Event()

    def capture(self):
        """Points file descriptor 1 at the relay. Call it right after the
        handshake: what was printed before and is still in sys.stdout's
        buffer then comes through the relay too."""
        read_fd, write_fd = os.pipe()
        os.dup2(write_fd, 1)
        os.close(write_fd)
        # Each print reaches the host as it is printed, not when a buffer fills.
        sys.stdout.reconfigure(line_buffering=True)
        threading.Thread(target=self._read, args=(read_fd,), name="socklab-stdout", daemon=True).start()

    def _read(self, fd):
        while data := os.read(fd, 65536):
            if self._stream_over.is_set():
                _write_stderr(data)
            else:
                self._chunks.put(data)
        os.close(fd)
        self._chunks.put(None)
        self._read_all.set()

    def stream(self, request, context):
        """GRPCStdio.StreamStdio: yields stdout as it comes, until the
        relay is closed or the host hangs up."""
        self._streaming.set()
        context.add_callback(lambda: self._chunks.put(None))
        while (data := self._chunks.get()) is not None:
            # What comes within FLUSH_EVERY goes in the same message: each
            # costs the plugin more CPU than the print did.
            time.sleep(outbox.FLUSH_EVERY)
            more, end = self._take_queued()
            yield grpc_stdio_pb2.StdioData(channel=grpc_stdio_pb2.StdioData.STDOUT, data=data + more)
            if end:
                break
        self._stream_over.set()
        self._spill()

    def _take_queued(self):
        """The chunks queued now, joined, and whether the end came."""
        chunks = []
        while True:
            try:
                data = self._chunks.get_nowait()
            except queue.Empty:
                return b"".join(chunks), False
            if data is None:
                return b"".join(chunks), True
            chunks.append(data)

    def finish(self, timeout):
        """After the author's run, before Run ends: sends what it printed,
        waiting up to timeout for the stream to carry it and end, and
        points file descriptor 1 at stderr. The host closes the connection,
        and the stream with it, as soon as Run has ended, so what the
        stream has not carried by then would be lost; what is printed
        later (by a thread left running) goes to stderr."""
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        # fd 1 was the pipe's only write end: the reader sees its end once
        # it has read everything (unless a child process holds a copy).
        os.dup2(2, 1)
        self._drain(timeout)

    def close(self, timeout):
        """Before the process exits: sends what was printed, waiting up to
        timeout for the stream to carry it, and writes the rest to stderr."""
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        # Closing our write end lets the reader see the end of the pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
        self._drain(timeout)

    def _drain(self, timeout):
        """Waits, up to timeout in all, for the reader to see the pipe's
        end, the host's stream to have started (go-plugin's host opens it
        right after the handshake, but its handler may not have run yet)
        and to have carried everything; then writes what is left to
        stderr."""
        deadline = time.monotonic() + timeout

        def left():
            return max(0.0, deadline - time.monotonic())

        if self._read_all.wait(left()) and self._streaming.wait(left()):
            self._stream_over.wait(left())
        self._stream_over.set()
        self._spill()

    def _spill(self):
        """Writes what is still queued to stderr, then queues the end again:
        a stream still running, or started later, must end rather than wait
        for chunks that went to stderr."""
        while True:
            try:
                data = self._chunks.get_nowait()
            except queue.Empty:
                break
            if data:
                _write_stderr(data)
        self._chunks.put(None)


def _write_stderr(data):
    try:
        while data:
            data = data[os.write(2, data):]
    except OSError:
        pass  # stderr was a pipe to the host, which is gone


class HclogFormatter(logging.Formatter):
    """Formats a log record as a JSON line like hclog's."""

    def format(self, record):
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + self.formatException(record.exc_info)
        return json.dumps({
            "@level": _LEVELS.get(record.levelno, "error"),
            "@message": message,
            "@module": record.name,
        })


def log_to_stderr():
    """Sends Python's logging, at INFO and above, to stderr as hclog JSON
    lines, unless the author has set logging up already."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(HclogFormatter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
