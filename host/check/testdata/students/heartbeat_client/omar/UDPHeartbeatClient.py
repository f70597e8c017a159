# lab machine address of the server
from socket import *
import time
HOST = '192.168.1.20'
PORT = 12000
c = socket(AF_INET, SOCK_DGRAM)
n = 1
while True:
    c.sendto(("Heartbeat " + str(n) + " " + str(time.time())).encode(), (HOST, PORT))
    n += 1
    time.sleep(0.3)
