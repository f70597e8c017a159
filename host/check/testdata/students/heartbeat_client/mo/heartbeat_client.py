from socket import *
import time
s = socket(AF_INET, SOCK_DGRAM)
seq = 0
while True:
    seq = seq + 1
    # sequence number and timestamp, nothing else
    s.sendto(f"{seq} {time.time()}".encode(), ("localhost", 12000))
    time.sleep(0.5)
