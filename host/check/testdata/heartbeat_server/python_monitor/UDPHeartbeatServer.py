# UDPHeartbeatServer.py: the sheet's server turned into a heartbeat
# monitor. It prints each heartbeat, the seqs that never came, and a
# client that has been silent for 2 seconds as stopped.
import time
from socket import *

serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 12000))
serverSocket.settimeout(0.1)

clients = {}  # address -> [highest seq, last heard, stopped]
while True:
    try:
        message, address = serverSocket.recvfrom(1024)
        now = time.time()
        fields = message.decode(errors='replace').split()
        if len(fields) >= 3 and fields[1].isdigit():
            seq = int(fields[1])
            client = clients.get(address)
            if client is None:
                client = clients[address] = [seq - 1, now, False]
            if client[2]:
                print('client %s:%d is back up' % address)
                client[2] = False
            if seq > client[0] + 1:
                print('Heartbeats %d-%d lost' % (client[0] + 1, seq - 1))
            client[0] = max(client[0], seq)
            client[1] = now
            print('Heartbeat %d received, delay %.6f s' % (seq, now - float(fields[2])))
    except timeout:
        pass
    now = time.time()
    for address, client in clients.items():
        if not client[2] and now - client[1] > 2:
            print('No heartbeat from %s:%d for 2 seconds: the client application has stopped' % address)
            client[2] = True
