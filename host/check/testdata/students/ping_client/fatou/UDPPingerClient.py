# first version, no statistics
from socket import *
import time
sock = socket(AF_INET, SOCK_DGRAM)
sock.settimeout(1)
for i in range(1, 11):
    t0 = time.time()
    sock.sendto(bytes("Ping %d %s" % (i, t0), "utf-8"), ("127.0.0.1", 12000))
    try:
        resp, _ = sock.recvfrom(1024)
        print(resp.decode(), "RTT:", time.time() - t0)
    except timeout:
        print("Request timed out")
