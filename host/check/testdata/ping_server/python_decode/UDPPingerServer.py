# UDPPingerServer.py that decodes each datagram as UTF-8 text before
# upper-casing it: a datagram that is not UTF-8 makes it crash.
import random
from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 12000))

while True:
    rand = random.randint(0, 10)
    message, address = serverSocket.recvfrom(1024)
    message = message.decode('utf-8').upper()
    if rand < 4:
        continue
    serverSocket.sendto(message.encode('utf-8'), address)
