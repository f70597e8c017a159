# WebServer.py: the sheet's skeleton filled in, in Python 3, as a student
# would. One request at a time, the file opened as the path says (so
# "/../secret.txt" leaves the directory), one header line, and a request
# without a path crashes it.
from socket import *

serverSocket = socket(AF_INET, SOCK_STREAM)
#Prepare a sever socket
#Fill in start
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', 6789))
serverSocket.listen(1)
#Fill in end
while True:
    #Establish the connection
    print('Ready to serve...')
    connectionSocket, addr = serverSocket.accept()  #Fill in start #Fill in end
    try:
        message = connectionSocket.recv(1024).decode()  #Fill in start #Fill in end
        filename = message.split()[1]
        f = open(filename[1:], 'rb')
        outputdata = f.read()  #Fill in start #Fill in end
        #Send one HTTP header line into socket
        #Fill in start
        connectionSocket.send(b'HTTP/1.1 200 OK\r\n\r\n')
        #Fill in end
        #Send the content of the requested file to the client
        connectionSocket.sendall(outputdata)
        connectionSocket.close()
    except IOError:
        #Send response message for file not found
        #Fill in start
        connectionSocket.send(b'HTTP/1.1 404 Not Found\r\n\r\n<html><body><h1>404 Not Found</h1></body></html>\r\n')
        #Fill in end
        #Close client socket
        #Fill in start
        connectionSocket.close()
        #Fill in end
serverSocket.close()
