"""Unit tests of the queue between the author's loop and the Run stream."""

import threading
import unittest

from socklab.outbox import Outbox


def collect(outbox):
    """The events drain yields, and what it returns."""
    events = []
    gen = outbox.drain()
    while True:
        try:
            events.append(next(gen))
        except StopIteration as end:
            return events, end.value


class OutboxTest(unittest.TestCase):
    def test_everything_queued_before_finish_is_sent_in_order(self):
        outbox = Outbox()
        for i in range(1000):
            outbox.put(i)
        outbox.finish("ValueError: bad")
        self.assertEqual(collect(outbox), (list(range(1000)), "ValueError: bad"))

    def test_events_from_another_thread_arrive_while_draining(self):
        outbox = Outbox()

        def produce():
            for i in range(500):
                outbox.put(i)
            outbox.finish()

        threading.Thread(target=produce).start()
        self.assertEqual(collect(outbox), (list(range(500)), None))

    def test_cancel_ends_the_stream_and_drops_what_comes(self):
        outbox = Outbox()
        outbox.put("a")
        outbox.cancel()
        outbox.put("b")
        self.assertEqual(collect(outbox), (["a"], None))


if __name__ == "__main__":
    unittest.main()
