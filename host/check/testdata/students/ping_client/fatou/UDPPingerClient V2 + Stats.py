# V2: the optional exercise, min/max/avg and loss rate
from socket import *
import time
sock = socket(AF_INET, SOCK_DGRAM)
sock.settimeout(1)
rtts = []
for i in range(1, 11):
    t0 = time.time()
    sock.sendto(bytes("Ping %d %s" % (i, t0), "utf-8"), ("127.0.0.1", 12000))
    try:
        resp, _ = sock.recvfrom(1024)
        r = time.time() - t0
        rtts.append(r)
        print(resp.decode(), "RTT:", r)
    except timeout:
        print("Request timed out")
print("--- statistics ---")
print("Packets lost: %d" % (10 - len(rtts)))
print("Packet loss rate: %.1f%%" % ((10 - len(rtts)) * 10.0))
if rtts:
    print("min/avg/max = %.6f/%.6f/%.6f s" % (min(rtts), sum(rtts) / len(rtts), max(rtts)))
