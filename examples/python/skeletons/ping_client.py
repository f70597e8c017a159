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
    # Create a UDP socket that waits at most config.timeout for a reply
    # (socklab.seconds(config.timeout) is that timeout in seconds)
    # Fill in start
    # Fill in end

    rtts = []
    sent = 0
    for seq in range(1, config.count + 1):
        if out.stopped:
            break
        start = time.time()
        message = "Ping %d %f" % (seq, start)
        # Send the ping message to the server, count it in sent, and report
        # it with out.sent(seq, start, message)
        # Fill in start
        # Fill in end
        try:
            # Receive the reply, and the address it came from
            # Fill in start
            # Fill in end
        except timeout:
            print("Request timed out")
            out.timeout(seq)
        else:
            # Compute the RTT in seconds, print the reply and its RTT, and
            # report them with out.reply(seq, rtt, reply, address)
            # Fill in start
            # Fill in end
            rtts.append(rtt)
        # The sheet's loop sends the next ping at once; interval can slow it.
        out.wait(socklab.seconds(config.interval) - (time.time() - start))
    clientSocket.close()

    # Optional exercise 1: the minimum, average and maximum RTT, the mean
    # deviation sqrt(mean(rtt^2) - mean(rtt)^2) and the loss rate in percent
    totals = {"transmitted": sent, "received": len(rtts)}
    # Fill in start
    # Fill in end
    out.summary(**totals)


socklab.serve_ping_client(run)
