# UDPPingerClient.py: the client the lab sheet asks for, served as a socklab
# plugin. It sends config.count pings "Ping <seq> <time>" to the server,
# waits up to config.timeout for each reply, prints the reply and its RTT in
# seconds or "Request timed out", and ends with the statistics of the
# standard ping (optional exercise 1). A reply that comes after its ping
# timed out is reported late, not taken for the next ping's.
import math
import time
from socket import *

import socklab


def run(config, out):
    serverAddress = socklab.address(config.server)
    clientSocket = socket(AF_INET, SOCK_DGRAM)

    rtts = []
    sendTimes = {}  # seq -> when it was sent
    for seq in range(1, config.count + 1):
        if out.stopped:
            break
        start = time.time()
        message = "Ping %d %f" % (seq, start)
        clientSocket.sendto(message.encode(), serverAddress)
        sendTimes[seq] = start
        out.sent(seq, start, message)
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
    if sent:
        totals["loss_percent"] = 100 * (sent - len(rtts)) / sent
    if rtts:
        avg = sum(rtts) / len(rtts)
        mdev = math.sqrt(max(0, sum(r * r for r in rtts) / len(rtts) - avg * avg))
        totals.update(rtt_min=min(rtts), rtt_avg=avg, rtt_max=max(rtts), rtt_mdev=mdev)
        print("min %.6f avg %.6f max %.6f seconds, loss %.0f%%" % (min(rtts), avg, max(rtts), totals["loss_percent"]))
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
            reply, address = clientSocket.recvfrom(1024)
        except timeout:
            return None
        # The reply is the ping upper-cased: "PING <seq> <time>".
        fields = reply.split()
        replySeq = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
        now = time.time()
        if replySeq == seq:
            rtt = now - sendTimes[seq]
            print("%s RTT: %.6f seconds" % (reply.decode(errors="replace"), rtt))
            out.reply(seq, rtt, reply, address)
            return rtt
        if replySeq in sendTimes:
            print("late reply to ping %d" % replySeq)
            out.late(replySeq, now - sendTimes[replySeq], reply)


socklab.serve_ping_client(run)
