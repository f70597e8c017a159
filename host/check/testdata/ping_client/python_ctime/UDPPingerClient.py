# UDPPingerClient.py that writes the time of each ping as a date string,
# time.ctime(), where the sheet's message wants Unix seconds. Otherwise
# careful: it skips late replies and prints the statistics.
import time
from socket import *

serverAddress = ('localhost', 12000)
clientSocket = socket(AF_INET, SOCK_DGRAM)

rtts = []
for seq in range(1, 11):
    sendTime = time.time()
    message = 'Ping %d %s' % (seq, time.ctime(sendTime))
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
        fields = reply.decode(errors='replace').split()
        if len(fields) < 2 or fields[1] != str(seq):
            continue
        rtt = time.time() - sendTime
        print('Reply from %s:%d: %s  time=%.3f ms' % (address[0], address[1], reply.decode(), rtt * 1000))
        rtts.append(rtt)
        break

print('--- ping statistics ---')
print('10 packets transmitted, %d received, %d%% packet loss' % (len(rtts), (10 - len(rtts)) * 10))
if rtts:
    print('rtt min/avg/max = %.3f/%.3f/%.3f ms' % (min(rtts) * 1000, sum(rtts) / len(rtts) * 1000, max(rtts) * 1000))
