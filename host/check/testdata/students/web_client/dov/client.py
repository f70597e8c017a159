# Web client: python3 client.py server_host server_port filename
import sys
from socket import *

host = sys.argv[1]
port = int(sys.argv[2])
filename = sys.argv[3]

s = socket(AF_INET, SOCK_STREAM)
s.connect((host, port))
# the request line and a blank line, like the sheet's server expects
s.send(("GET /" + filename + " HTTP/1.1\r\n\r\n").encode())
reply = b""
while True:
    chunk = s.recv(2048)
    if not chunk:
        break
    reply += chunk
s.close()
print(reply.decode())
