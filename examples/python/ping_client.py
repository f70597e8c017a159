# UDPPingerClient.py: the client the lab sheet asks for, served as a socklab
# plugin. It sends config.count pings "Ping <seq> <time>" to the server,
# waits up to config.timeout for each reply, prints the reply and its RTT in
# seconds or "Request timed out", and ends with the statistics of the
# standard ping (optional exercise 1).
import math
import time
from socket import *

import socklab


def run(config, out):
    serverAddress = socklab.address(config.server)
    clientSocket = socket(AF_INET, SOCK_DGRAM)
    clientSocket.settimeout(socklab.seconds(config.timeout))

    rtts = []
    sent = 0
    for seq in range(1, config.count + 1):
        if out.stopped:
            break
        start = time.time()
        message = "Ping %d %f" % (seq, start)
        clientSocket.sendto(message.encode(), serverAddress)
        sent += 1
        out.sent(seq, start, message)
        try:
            reply, address = clientSocket.recvfrom(1024)
        except timeout:
            print("Request timed out")
            out.timeout(seq)
        else:
            rtt = time.time() - start
            print("%s RTT: %.6f seconds" % (reply.decode(), rtt))
            out.reply(seq, rtt, reply, address)
            rtts.append(rtt)
        # The sheet's loop sends the next ping at once; interval can slow it.
        out.wait(socklab.seconds(config.interval) - (time.time() - start))
    clientSocket.close()

    lost = sent - len(rtts)
    totals = {"transmitted": sent, "received": len(rtts)}
    if sent:
        totals["loss_percent"] = 100 * lost / sent
    if rtts:
        avg = sum(rtts) / len(rtts)
        mdev = math.sqrt(sum(r * r for r in rtts) / len(rtts) - avg * avg)
        totals.update(rtt_min=min(rtts), rtt_avg=avg, rtt_max=max(rtts), rtt_mdev=mdev)
        print("min %.6f avg %.6f max %.6f seconds, loss %.0f%%" % (min(rtts), avg, max(rtts), totals["loss_percent"]))
    out.summary(**totals)


socklab.serve_ping_client(run)
