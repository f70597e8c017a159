# UDPPingerServer.py from the lab sheet, served as a socklab plugin: it
# upper-cases every datagram and sends it back, except the ones it pretends
# the network lost. Fill in the gaps; examples/python/ping_server.py is one
# way to do it.
import random
from socket import *

import socklab


def run(config, out):
    # Create a UDP socket and bind it to config.listen
    # Fill in start
    # Fill in end
    # The host starts the clients now; when it stops us it closes serverSocket.
    out.ready(serverSocket)

    rand = random.Random(config.seed)
    received = echoed = dropped = 0
    while True:
        # Receive the client packet along with the address it is coming from
        try:
            # Fill in start
            # Fill in end
        except OSError:
            break  # our socket was closed: the host stopped us
        received += 1
        # Drop it with probability config.drop_rate: report out.drop and go on
        # Fill in start
        # Fill in end
        # Otherwise, send it back capitalized and report out.echo
        # Fill in start
        # Fill in end

    out.summary(received=received, echoed=echoed, dropped=dropped)


socklab.serve_ping_server(run)
