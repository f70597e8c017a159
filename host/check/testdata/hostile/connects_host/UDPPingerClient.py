# Connects to a service on the host's 127.0.0.1 (the test listens on port 47999); gives up if it can.
import socket, sys
try:
    socket.create_connection(("127.0.0.1", 47999), timeout=1).close()
    print("reached the host's service")
    sys.exit(3)
except OSError:
    pass

import os as _os
_here = _os.path.dirname(_os.path.abspath(__file__))
exec(compile(open(_os.path.join(_here, "client.txt")).read(), "client.txt", "exec"))
