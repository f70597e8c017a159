from socket import *
serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(('', 80))
serverSocket.listen(1)
while True:
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()
    try:
        message = connectionSocket.recv(1024)
        filename = message.split()[1]
        f = open(filename[1:], 'rb')
        outputdata = f.read()
        connectionSocket.send(b'HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n')
        connectionSocket.sendall(outputdata)
        connectionSocket.close()
    except IOError:
        connectionSocket.send(b'HTTP/1.0 404 Not Found\r\n\r\n')
        connectionSocket.close()
