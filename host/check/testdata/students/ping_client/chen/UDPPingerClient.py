from socket import *
from time import time

s = socket(AF_INET, SOCK_DGRAM)
s.settimeout(1)
rtt_list = []
lost = 0
for n in range(1, 11):
    start = time()
    s.sendto(("Ping " + str(n) + " " + str(start)).encode(), ("127.0.0.1", 12000))
    try:
        reply, addr = s.recvfrom(2048)
        rtt = time() - start
        rtt_list.append(rtt)
        print("Ping message", n, "received:", reply.decode())
        print("RTT:", rtt, "seconds")
    except Exception:
        lost += 1
        print("Request timed out")
print("total number of packets lost =", lost)
print("Packet loss rate:", lost * 10, "%")
if len(rtt_list) > 0:
    print("min rtt:", min(rtt_list))
    print("max rtt:", max(rtt_list))
    print("avg rtt:", sum(rtt_list) / len(rtt_list))
