# Runs on the lab machine, against the server on the same host
from socket import *
import time

serverIP = '10.0.2.15'
serverPort = 12000
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)
for sequence_number in range(1, 11):
    now = time.time()
    clientSocket.sendto(('Ping %d %f' % (sequence_number, now)).encode(), (serverIP, serverPort))
    try:
        data, server = clientSocket.recvfrom(1024)
        print('Reply from %s: %s time=%.3f ms' % (server[0], data.decode(), (time.time() - now) * 1000))
    except timeout:
        print('Request timed out')
