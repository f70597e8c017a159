import time
from socket import *
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', 12000))
serverSocket.settimeout(1)
last = {}
lastTime = {}
while True:
    try:
        message, address = serverSocket.recvfrom(1024)
    except timeout:
        for a in list(lastTime):
            if time.time() - lastTime[a] > 10:
                print("Client", address if False else a, "stopped")
                del lastTime[a]
        continue
    parts = message.decode().split()
    seq = int(parts[1])
    if address in last:
        for n in range(last[address] + 1, seq):
            print("Lost heartbeat", n, "from", address)
    last[address] = seq
    lastTime[address] = time.time()
    print("Got heartbeat", seq, "delay", time.time() - float(parts[2]))
