import socket
import time

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(1, 11):
    sock.sendto(("Heartbeat %d %f" % (i, time.time())).encode(), ("127.0.0.1", 12000))
    print("Heartbeat", i)
    time.sleep(1)
sock.close()
