# A ping client whose run raises: the host must show the exception's type
# and message, and where in this file it came from.
import socklab


def run(config, out):
    out.log("connecting to %s" % config.server)
    raise ConnectionError("no route to the server: I gave up")


socklab.serve_ping_client(run)
