"""Write a socklab plugin in Python: the socket logic of one role, served
to the socklab host.

    from socket import *
    import socklab

    def run(config, out):
        clientSocket = socket(AF_INET, SOCK_DGRAM)
        clientSocket.settimeout(socklab.seconds(config.timeout))
        for seq in range(1, config.count + 1):
            ...                        # sendto, then out.sent(seq, ...)
            ...                        # recvfrom: out.reply(...) or out.timeout(seq)
        out.summary(transmitted=config.count, received=...)

    socklab.serve_ping_client(run)

The go-plugin handshake, the gRPC services, event streaming, Stop and
exiting when the host is gone are all done here (socklab.plugin). Print
with print() (shown under your component's name) or out.log; log with
logging (to stderr); never flush anything to stdout before the serve call.

The package needs Debian's python3-grpcio and python3-protobuf, and
plugins/python on sys.path (a lab file sets PYTHONPATH in the plugin
block's env).
"""

import sys

try:
    import google.protobuf
    import grpc
except ImportError as missing:
    raise ImportError(
        f"socklab needs grpcio and protobuf, which {sys.executable} cannot import ({missing}); "
        "Debian's are python3-grpcio and python3-protobuf, for /usr/bin/python3") from missing

from socklab.events import (
    HeartbeatClientEvents,
    HeartbeatServerEvents,
    PingClientEvents,
    PingServerEvents,
    WebClientEvents,
    WebServerEvents,
)
from socklab.fields import address, host_port, seconds
from socklab import roles as _roles
# serve_ping_client and the other roles' serve functions: roles.py is
# generated from the host's role registry.
from socklab.roles import *  # noqa: F401,F403

__all__ = [
    "HeartbeatClientEvents", "HeartbeatServerEvents", "PingClientEvents",
    "PingServerEvents", "WebClientEvents", "WebServerEvents",
    "address", "host_port", "seconds",
] + _roles.__all__
