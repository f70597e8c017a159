# UDPPingerServer.py from the lab sheet, served as a socklab plugin: it
# upper-cases every datagram and sends it back, except the ones it pretends
# the network lost. The lab file sets the address, the loss rate and the
# seed of the random choices.
import random
from socket import *

import socklab


def run(config, out):
    # Create a UDP socket
    # Notice the use of SOCK_DGRAM for UDP packets
    serverSocket = socket(AF_INET, SOCK_DGRAM)
    # Assign IP address and port number to socket
    serverSocket.bind(socklab.address(config.listen))
    # The host starts the clients now; when it stops us it closes serverSocket.
    out.ready(serverSocket)

    rand = random.Random(config.seed)
    received = echoed = dropped = 0
    while True:
        # Receive the client packet along with the address it is coming from
        try:
            message, address = serverSocket.recvfrom(1024)
        except OSError:
            break  # our socket was closed: the host stopped us
        received += 1
        # The sheet drops when random.randint(0, 10) < 4; the lab sets the rate.
        if rand.random() < config.drop_rate:
            dropped += 1
            out.drop(address, message)
            continue
        # Otherwise, the server responds with the message capitalized
        reply = message.upper()
        serverSocket.sendto(reply, address)
        echoed += 1
        out.echo(address, message, reply)

    out.summary(received=received, echoed=echoed, dropped=dropped)


socklab.serve_ping_server(run)
