# UDPPingerClient.py: the lab sheet's UDP ping client, written as a careful
# student would: ten pings to 127.0.0.1:12000, one second for each reply,
# a reply for an older ping (it came after its timeout) is skipped, and the
# statistics of the standard ping at the end. An optional argument names
# another port.
import sys
import time
from socket import *

serverAddress = ('127.0.0.1', int(sys.argv[1]) if len(sys.argv) > 1 else 12000)
clientSocket = socket(AF_INET, SOCK_DGRAM)

rtts = []
for seq in range(1, 11):
    sendTime = time.time()
    message = 'Ping %d %f' % (seq, sendTime)
    clientSocket.sendto(message.encode(), serverAddress)
    deadline = sendTime + 1.0
    while True:
        remaining = deadline - time.time()
        if remaining <= 0:
            print('Request timed out')
            break
        clientSocket.settimeout(remaining)
        try:
            reply, address = clientSocket.recvfrom(1024)
        except timeout:
            print('Request timed out')
            break
        rtt = time.time() - sendTime
        fields = reply.decode(errors='replace').split()
        if len(fields) < 2 or fields[1] != str(seq):
            continue  # the reply to an earlier ping, too late
        print('%s RTT: %.6f seconds' % (reply.decode(), rtt))
        rtts.append(rtt)
        break
clientSocket.close()

loss = 100.0 * (10 - len(rtts)) / 10
if rtts:
    print('min %.6f avg %.6f max %.6f seconds' % (min(rtts), sum(rtts) / len(rtts), max(rtts)))
print('%d packets transmitted, %d received, %.1f%% packet loss' % (10, len(rtts), loss))
