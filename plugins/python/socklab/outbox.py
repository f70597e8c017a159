"""The events of one Run on their way to the host.

The author's socket loop only queues an event (a C-level SimpleQueue put,
no lock of ours, never a wait); a gRPC thread streams the queue to the
host in bursts, as plugins/sdk/service.go does in Go. The queue is not
bounded: bounding it would need queue.Queue, several times slower per put,
and the host reads far faster than a Python loop produces.
"""

import queue
import time

# The pause after each burst, so that a loop sending an event per packet
# does not wake the sending thread (and the host) once per packet. Events
# reach the host at most this late.
FLUSH_EVERY = 0.002

# The most events in one batch: a web response carries at most 1 MiB of
# body, so a batch stays within what the host accepts (64 MiB).
BATCH_EVENTS = 32


class _End:
    """Marks the end of the stream, with the Run's error message or None."""

    def __init__(self, error):
        self.error = error


class Outbox:
    """A queue of events between one producer, the author's run, and
    drain, which a gRPC handler yields from."""

    def __init__(self):
        self._queue = queue.SimpleQueue()
        self._open = True

    def put(self, event):
        """Queues event; drops it once the host has hung up."""
        if self._open:
            self._queue.put(event)

    def finish(self, error=None):
        """Ends the stream after the events queued so far: OK, or failed
        with the message error."""
        self._queue.put(_End(error))

    def cancel(self):
        """The host hung up: end the stream now and drop what comes."""
        self._open = False
        self._queue.put(_End(None))

    def drain(self):
        """Yields the events as they come, in bursts: lists of what was
        queued, each at most BATCH_EVENTS long, until finish or cancel;
        returns finish's error."""
        while True:
            item = self._queue.get()
            burst = []
            while not isinstance(item, _End):
                burst.append(item)
                if len(burst) == BATCH_EVENTS:
                    yield burst
                    burst = []
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    item = None
                    break
            if burst:
                yield burst
            if isinstance(item, _End):
                return item.error
            time.sleep(FLUSH_EVERY)
