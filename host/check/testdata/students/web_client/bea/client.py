# reads one buffer only
import sys
from socket import *
host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket(AF_INET, SOCK_STREAM)
s.connect((host, port))
s.send(("GET /%s HTTP/1.0\r\n\r\n" % path).encode())
print(s.recv(4096))
s.close()
