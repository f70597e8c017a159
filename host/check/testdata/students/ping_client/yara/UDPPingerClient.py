import time
from socket import *
serverName = '127.0.0.1'
serverPort = 12000
clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(1)
for i in range(1, 11):
    start = time.time()
    message = 'Ping ' + str(i) + ' ' + str(start)
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    try:
        modifiedMessage, serverAddress = clientSocket.recvfrom(1024)
        end = time.time()
        print(modifiedMessage.decode(), 'from', serverAddress)
        print('RTT:', end - start, 'seconds')
    except timeout:
        print('Request timed out')
clientSocket.close()
