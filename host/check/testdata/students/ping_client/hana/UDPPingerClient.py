# forgot the timeout: waits for ever for a lost reply
from socket import *
import time
clientSocket = socket(AF_INET, SOCK_DGRAM)
for i in range(1, 11):
    t = time.time()
    clientSocket.sendto(("Ping " + str(i) + " " + str(t)).encode(), ("127.0.0.1", 12000))
    message, address = clientSocket.recvfrom(1024)
    print(message.decode())
    print("RTT: %f seconds" % (time.time() - t))
