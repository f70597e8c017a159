# A ping server that prints, and flushes, to stdout before serving: the
# line arrives where the host expects the plugin handshake.
import socklab

print("hello from a Python plugin that prints too early", flush=True)


def run(config, out):
    raise AssertionError("never called: the handshake fails first")


socklab.serve_ping_server(run)
