# Tries unshare and setns to leave its namespaces; gives up if it can.
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWNS = 0x10000000, 0x40000000, 0x00020000
for flags in (CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUSER | CLONE_NEWNET):
    if libc.unshare(flags) == 0:
        print("unshare", hex(flags), "worked")
        sys.exit(3)
for pid in range(1, 50):
    try:
        fd = os.open("/proc/%d/ns/net" % pid, os.O_RDONLY)
    except OSError:
        continue
    if libc.setns(fd, CLONE_NEWNET) == 0 and pid != 1 and pid != os.getpid():
        print("setns into", pid, "worked")
        sys.exit(3)
    os.close(fd)

import os as _os
_here = _os.path.dirname(_os.path.abspath(__file__))
exec(compile(open(_os.path.join(_here, "client.txt")).read(), "client.txt", "exec"))
