# Appends to a classmate's program (and plants a file in its own directory); gives up if it can.
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
open(os.path.join(here, "planted.txt"), "w").write("planted\n")
try:
    with open(os.path.join(here, "..", "victim", "UDPPingerClient.py"), "a") as f:
        f.write("\nraise SystemExit('sabotaged by a classmate')\n")
    print("wrote the classmate's file")
    sys.exit(3)
except OSError:
    pass

import os as _os
_here = _os.path.dirname(_os.path.abspath(__file__))
exec(compile(open(_os.path.join(_here, "client.txt")).read(), "client.txt", "exec"))
