# client.py server_host server_port filename: the sheet's HTTP client. It
# sends a GET for the file, reads the whole response and prints it.
import sys
from socket import *

host, port, filename = sys.argv[1], int(sys.argv[2]), sys.argv[3]
clientSocket = socket(AF_INET, SOCK_STREAM)
clientSocket.connect((host, port))
request = 'GET /%s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n' % (filename, host, port)
clientSocket.sendall(request.encode())
response = b''
while True:
    data = clientSocket.recv(4096)
    if not data:
        break
    response += data
clientSocket.close()
print(response.decode(errors='replace'))
