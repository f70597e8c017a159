# Starts a child in a session of its own that would sleep on after the grade (its name marks it).
import subprocess
subprocess.Popen(["setsid", "sh", "-c", "exec -a socklab-hostile-sleeper sleep 600"])

import os as _os
_here = _os.path.dirname(_os.path.abspath(__file__))
exec(compile(open(_os.path.join(_here, "client.txt")).read(), "client.txt", "exec"))
