import random
from socket import *
s = socket(AF_INET, SOCK_DGRAM)
s.bind(('', 12345))
print("server listening on 12345")
while True:
    msg, addr = s.recvfrom(1024)
    if random.randint(0, 10) < 4:
        continue
    s.sendto(msg, addr)
