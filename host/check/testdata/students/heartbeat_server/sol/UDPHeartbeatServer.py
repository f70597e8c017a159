# reports lost heartbeats, never notices a stopped client
from socket import *
s = socket(AF_INET, SOCK_DGRAM)
s.bind(('', 12000))
last = 0
while True:
    m, a = s.recvfrom(1024)
    seq = int(m.split()[1])
    if seq > last + 1:
        print("lost:", *range(last + 1, seq))
    last = max(last, seq)
