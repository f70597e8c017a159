"""A plugin for test_plugin.py, its behaviour chosen by its argument: "echo",
a ping server that prints and echoes until stopped; "raise", a ping client
whose run raises; "tail", one that prints 500 lines and returns at once."""

import sys
from socket import AF_INET, SOCK_DGRAM, socket

import socklab

print("printed before serve, without a flush")


def echo(config, out):
    sock = socket(AF_INET, SOCK_DGRAM)
    sock.bind(socklab.address(config.listen))
    out.ready(sock)
    print("serving on", sock.getsockname())
    echoed = 0
    while True:
        try:
            message, address = sock.recvfrom(1024)
        except OSError:
            break
        sock.sendto(message.upper(), address)
        echoed += 1
        out.echo(address, message, message.upper())
    out.summary(received=echoed, echoed=echoed)


def fail(config, out):
    return 1 / 0


def tail(config, out):
    for n in range(1, 501):
        print("line", n)
    out.summary(transmitted=0)


if sys.argv[1] == "echo":
    socklab.serve_ping_server(echo)
elif sys.argv[1] == "tail":
    socklab.serve_ping_client(tail)
else:
    socklab.serve_ping_client(fail)
