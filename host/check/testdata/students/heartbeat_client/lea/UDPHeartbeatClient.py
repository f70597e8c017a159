# Heartbeat client: runs until killed, a heartbeat at random gaps
import random
import time
from socket import *

clientSocket = socket(AF_INET, SOCK_DGRAM)
seq = 1
while True:
    message = "Heartbeat " + str(seq) + " " + str(time.time())
    clientSocket.sendto(message.encode(), ("127.0.0.1", 12000))
    print("sent heartbeat", seq)
    seq += 1
    time.sleep(random.uniform(0.2, 1.0))
