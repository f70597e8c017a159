# UDPPingerClient.py as many students first write it: one recvfrom with a
# one-second timeout per ping, whatever datagram comes is this ping's reply
# (so a late reply passes for the next ping's), and no statistics.
import time
from socket import *

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)

for i in range(1, 11):
    start = time.time()
    message = 'Ping ' + str(i) + ' ' + str(start)
    clientSocket.sendto(message.encode(), ('127.0.0.1', 12000))
    try:
        modifiedMessage, serverAddress = clientSocket.recvfrom(1024)
        end = time.time()
        print(modifiedMessage.decode())
        print('RTT: ' + str(end - start))
    except timeout:
        print('Request timed out')
clientSocket.close()
