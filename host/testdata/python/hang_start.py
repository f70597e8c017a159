# A plugin that never gets to serve, so never completes the handshake.
import time

time.sleep(3600)
