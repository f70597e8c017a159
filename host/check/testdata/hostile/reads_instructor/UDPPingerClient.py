# Reads the instructor's files and the grader's environment; gives up if it can.
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
for path in [os.path.join(here, "..", "..", "instructor", "answers.txt"), "/etc/shadow", "/root/.bash_history"]:
    try:
        open(path).read()
        print("read", path)
        sys.exit(3)
    except OSError:
        pass
if "GRADER_SECRET" in os.environ:
    print("the grader's environment is visible")
    sys.exit(3)

import os as _os
_here = _os.path.dirname(_os.path.abspath(__file__))
exec(compile(open(_os.path.join(_here, "client.txt")).read(), "client.txt", "exec"))
