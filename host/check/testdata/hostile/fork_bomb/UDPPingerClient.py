# A bounded fork bomb: 500 children that sleep.
import os, time
for i in range(500):
    try:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
    except OSError:
        time.sleep(0.01)
time.sleep(600)
