# Heartbeat client skeleton (the lab sheet's optional exercise 2) as a
# socklab plugin: start from your ping client. Fill in the code between
# "# Fill in start" and "# Fill in end"; each place may take one or more
# lines. The filled-in version is ../heartbeat_client.py; run yours with a
# lab file like ../heartbeat-client.hcl, its command naming your file.
# With SKIP="4,5,6" in its environment it leaves those seqs out, so that a
# server has loss to report.
import os
import time
from socket import *

import socklab


def run(config, out):
    skip = {int(seq) for seq in os.environ.get("SKIP", "").replace(",", " ").split()}
    serverAddress = socklab.address(config.server)
    clientSocket = socket(AF_INET, SOCK_DGRAM)
    interval = socklab.seconds(config.interval)
    pause_after = socklab.seconds(config.pause_after)
    pause_for = socklab.seconds(config.pause_for)
    # The run ends at the first heartbeat due at or after end.
    limits = [socklab.seconds(config.duration), socklab.seconds(config.stop_after)]
    end = min([limit for limit in limits if limit > 0], default=None)
    start = time.time()

    def wait_until(due):
        """Sleeps until due seconds after the start; False if the run must
        end first: the end has come, or the host stopped us."""
        if end is not None and due >= end:
            out.wait(start + end - time.time())
            return False
        return not out.wait(start + due - time.time())

    due = 0.0  # when heartbeat seq is due, in seconds after the start
    paused = False
    sent = 0
    seq = 1
    while config.count == 0 or seq <= config.count:
        if pause_for > 0 and not paused and due >= pause_after:
            paused = True
            if not wait_until(pause_after):
                break
            # Report the pause with out.paused(pause_for), stay silent until
            # pause_after + pause_for (from then on the heartbeats are due),
            # and report out.resumed(seq)
            # Fill in start
            # Fill in end
        elif not wait_until(due):
            break

        if seq in skip:
            print("leaving out heartbeat %d (SKIP)" % seq)
        else:
            # Send "Heartbeat <seq> <time>", with " <client_id>" if the lab
            # sets one, count it in sent and report it with out.sent
            try:
                # Fill in start
                # Fill in end
            except OSError as e:
                # No answer is expected anyway: note it and keep beating.
                out.warn("heartbeat %d: %s" % (seq, e))
        seq += 1
        # In whole microseconds, so that ten intervals of 0.1 s make 1 s.
        due = round(due + interval, 6)

    clientSocket.close()
    out.summary(sent=sent, duration=time.time() - start)


socklab.serve_heartbeat_client(run)
