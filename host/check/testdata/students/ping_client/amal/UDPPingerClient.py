# UDPPingerClient.py
from socket import *
import time

serverName = '127.0.0.1'
serverPort = 12000
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)

for i in range(1, 11):
    sendTime = time.time()
    message = 'Ping ' + str(i) + ' ' + str(sendTime)
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    try:
        modifiedMessage, serverAddress = clientSocket.recvfrom(1024)
        rtt = time.time() - sendTime
        print('Reply from ' + serverAddress[0] + ': ' + modifiedMessage.decode())
        print('RTT: ' + str(rtt) + ' seconds')
    except timeout:
        print('Request timed out')

clientSocket.close()
