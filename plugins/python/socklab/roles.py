"""The roles a Python plugin can serve, and a serve function for each.

A serve function takes the author's run(config, out): config is the role's
config message (every setting filled in by the host), out the role's event
sender from socklab.events. run returns when the component is done; an
exception it raises fails the component with a message naming it.
"""

import collections

from socklab import events, plugin
from socklab.v1 import heartbeat_pb2, ping_pb2, web_pb2


class Role(collections.namedtuple("Role", "name service config batch events")):
    """A role: its lab-file name, full gRPC service name, config message
    type, the batch type Run streams, and event sender type."""

    def serve(self, run):
        """Serves run(config, out) as this role and never returns."""
        plugin.serve(self, run)


def _role(name, module, service, events_type):
    descriptor = module.DESCRIPTOR.services_by_name[service]
    run = descriptor.methods_by_name["Run"]
    config = getattr(module, run.input_type.name)
    batch = getattr(module, run.output_type.name)
    return Role(name, descriptor.full_name, config, batch, events_type)


PING_SERVER = _role("ping_server", ping_pb2, "PingServer", events.PingServerEvents)
PING_CLIENT = _role("ping_client", ping_pb2, "PingClient", events.PingClientEvents)
HEARTBEAT_SERVER = _role("heartbeat_server", heartbeat_pb2, "HeartbeatServer", events.HeartbeatServerEvents)
HEARTBEAT_CLIENT = _role("heartbeat_client", heartbeat_pb2, "HeartbeatClient", events.HeartbeatClientEvents)
WEB_SERVER = _role("web_server", web_pb2, "WebServer", events.WebServerEvents)
WEB_CLIENT = _role("web_client", web_pb2, "WebClient", events.WebClientEvents)

# run(config: PingServerConfig, out: PingServerEvents), and so on.
serve_ping_server = PING_SERVER.serve
serve_ping_client = PING_CLIENT.serve
serve_heartbeat_server = HEARTBEAT_SERVER.serve
serve_heartbeat_client = HEARTBEAT_CLIENT.serve
serve_web_server = WEB_SERVER.serve
serve_web_client = WEB_CLIENT.serve
