# The classmate whose program writes_classmate tries to sabotage: a correct client.
import os as _os
_here = _os.path.dirname(_os.path.abspath(__file__))
exec(compile(open(_os.path.join(_here, "client.txt")).read(), "client.txt", "exec"))
