# UDPPingerClient.py skeleton: the client the lab sheet asks for, as a
# socklab plugin. Fill in the code between "# Fill in start" and
# "# Fill in end"; each place may take one or more lines. The filled-in
# version is ../ping_client.py; run yours with a lab file like
# ../ping-client.hcl, its command naming your file.
import math
import time
from socket import *

import socklab


def run(config, out):
    serverAddress = socklab.address(config.server)
    # Create a UDP socket
    # Fill in start
    # Fill in end

    rtts = []
    sendTimes = {}  # seq -> when it was sent
    for seq in range(1, config.count + 1):
        if out.stopped:
            break
        start = time.time()
        message = "Ping %d %f" % (seq, start)
        # Send the ping message to the server, note when in sendTimes, and
        # report it with out.sent(seq, start, message)
        # Fill in start
        # Fill in end
        rtt = wait_for_reply(clientSocket, seq, sendTimes, start + socklab.seconds(config.timeout), out)
        if rtt is None:
            print("Request timed out")
            out.timeout(seq)
        else:
            rtts.append(rtt)
        # The sheet's loop sends the next ping at once; interval can slow it.
        out.wait(socklab.seconds(config.interval) - (time.time() - start))
    clientSocket.close()

    sent = len(sendTimes)
    totals = {"transmitted": sent, "received": len(rtts)}
    # Optional exercise 1: add loss_percent and, if a reply came, rtt_min,
    # rtt_avg, rtt_max and rtt_mdev, sqrt(mean(rtt^2) - mean(rtt)^2), to
    # totals (in seconds), and print them
    # Fill in start
    # Fill in end
    out.summary(**totals)


def wait_for_reply(clientSocket, seq, sendTimes, deadline, out):
    """Waits until deadline for the reply to ping seq; returns its RTT, or
    None if it did not come. A reply to an earlier ping, which timed out
    already, is late: it is reported and the wait goes on."""
    while True:
        left = deadline - time.time()
        if left <= 0:
            return None
        clientSocket.settimeout(left)
        try:
            # Receive a datagram (reply) and the address it came from
            # Fill in start
            # Fill in end
        except timeout:
            return None
        # The reply is the ping upper-cased: "PING <seq> <time>".
        fields = reply.split()
        replySeq = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
        now = time.time()
        if replySeq == seq:
            # Compute the RTT in seconds, print the reply and its RTT, report
            # them with out.reply(seq, rtt, reply, address), and return the RTT
            # Fill in start
            # Fill in end
        if replySeq in sendTimes:
            print("late reply to ping %d" % replySeq)
            out.late(replySeq, now - sendTimes[replySeq], reply)


socklab.serve_ping_client(run)
