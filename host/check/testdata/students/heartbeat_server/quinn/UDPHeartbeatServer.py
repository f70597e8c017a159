# UDPPingerServer.py modified for the heartbeat
import time
from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 12000))
serverSocket.settimeout(10)
last_seq = 0
stopped = False
while True:
    try:
        message, address = serverSocket.recvfrom(1024)
    except timeout:
        if not stopped:
            print("No heartbeat for 10 seconds: the client application has stopped")
            stopped = True
        continue
    stopped = False
    parts = message.decode().split()
    seq = int(parts[1])
    diff = time.time() - float(parts[2])
    for missing in range(last_seq + 1, seq):
        print("Heartbeat", missing, "lost")
    if seq > last_seq:
        last_seq = seq
    print("Heartbeat %d received, time difference %f s" % (seq, diff))
