# A ping server that never looks at out.stopped and does not let the host
# close its socket (ready is given the address, not the socket), so it
# cannot be stopped politely.
from socket import *

import socklab


def run(config, out):
    serverSocket = socket(AF_INET, SOCK_DGRAM)
    serverSocket.bind(socklab.address(config.listen))
    out.ready(serverSocket.getsockname())
    while True:
        message, address = serverSocket.recvfrom(1024)
        serverSocket.sendto(message.upper(), address)


socklab.serve_ping_server(run)
