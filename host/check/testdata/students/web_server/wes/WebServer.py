# serves one request and stops
from socket import *
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', 9090))
serverSocket.listen(1)
print('Ready to serve...')
connectionSocket, addr = serverSocket.accept()
try:
    message = connectionSocket.recv(1024).decode()
    filename = message.split()[1]
    f = open(filename[1:])
    outputdata = f.read()
    connectionSocket.send(b'HTTP/1.1 200 OK\r\n\r\n')
    connectionSocket.send(outputdata.encode())
    connectionSocket.close()
except IOError:
    connectionSocket.send(b'HTTP/1.1 404 Not Found\r\n\r\n')
    connectionSocket.close()
serverSocket.close()
