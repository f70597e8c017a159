# UDPHeartbeatClient.py: ten heartbeats "Heartbeat <seq> <time>", one every
# half second, to the sheet's server address.
import time
from socket import *

clientSocket = socket(AF_INET, SOCK_DGRAM)
start = time.time()
for seq in range(1, 11):
    time.sleep(max(0, start + (seq - 1) * 0.5 - time.time()))
    message = 'Heartbeat %d %f' % (seq, time.time())
    clientSocket.sendto(message.encode(), ('127.0.0.1', 12000))
    print('sent ' + message)
clientSocket.close()
