# A web server that crashes on a request for a missing file (the sheet's
# skeleton without its except IOError: FileNotFoundError) and is slow to
# exit: Python writes the traceback, then runs the atexit handler, which
# closes the connection (so the client is done and the host stops the lab)
# and waits. The host's SIGTERM, not the crash, is what ends it; the crash
# is reported.
import atexit
import time
from socket import *

connections = []


def slow_exit():
    for c in connections:
        c.close()
    time.sleep(30)


atexit.register(slow_exit)

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
serverSocket.bind(('', 6789))
serverSocket.listen(1)
while True:
    connectionSocket, addr = serverSocket.accept()
    connections.append(connectionSocket)
    message = connectionSocket.recv(1024).decode()
    f = open(message.split()[1][1:])
