"""Unit tests of the queue between the author's loop and the Run stream."""

import threading
import unittest

from socklab.outbox import Outbox


def bursts(outbox):
    """The bursts drain yields, and what it returns."""
    out = []
    gen = outbox.drain()
    while True:
        try:
            out.append(next(gen))
        except StopIteration as end:
            return out, end.value


def collect(outbox):
    """The events drain yields, flattened, and what it returns."""
    out, error = bursts(outbox)
    return [event for burst in out for event in burst], error


class OutboxTest(unittest.TestCase):
    def test_everything_queued_before_finish_is_sent_in_order(self):
        outbox = Outbox()
        for i in range(1000):
            outbox.put(i)
        outbox.finish("ValueError: bad")
        self.assertEqual(collect(outbox), (list(range(1000)), "ValueError: bad"))

    def test_events_queued_together_go_in_few_batches(self):
        outbox = Outbox()
        for i in range(100):
            outbox.put(i)
        outbox.finish()
        out, _ = bursts(outbox)
        self.assertEqual([len(b) for b in out], [32, 32, 32, 4])

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
