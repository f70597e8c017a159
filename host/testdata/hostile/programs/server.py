# A UDP ping server as the lab sheet has students write it, made hostile by
# its first argument after the port:
#   orphans   starts a child in a session of its own and a grandchild its
#             parent leaves behind, each ignoring SIGTERM and SIGHUP
#   deaf      ignores SIGTERM itself
#   flood     prints as fast as it can for SECONDS (the next argument)
#   longline  prints MEGABYTES (the next argument) of one line, no newline
#   escapes   prints terminal escapes, nulls and bytes that are not UTF-8
import os
import signal
import subprocess
import sys
import time
from socket import *

port = int(sys.argv[1])
mode = sys.argv[2] if len(sys.argv) > 2 else ""
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('127.0.0.1', port))

if mode == "orphans":
    stubborn = "trap '' TERM HUP INT; sleep 300"
    subprocess.Popen(["sh", "-c", stubborn], start_new_session=True)
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execvp("sh", ["sh", "-c", stubborn])
        os._exit(0)
elif mode == "deaf":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
elif mode == "flood":
    end = time.time() + float(sys.argv[3])
    line = b"flood " + b"x" * 94 + b"\n"
    chunk = line * 100
    while time.time() < end:
        sys.stdout.buffer.write(chunk)
elif mode == "longline":
    chunk = b"y" * (1 << 20)
    for _ in range(int(sys.argv[3])):
        sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
elif mode == "escapes":
    sys.stdout.buffer.write(b"\x1b[2J\x1b]0;owned\x07cleared \xff\xfe\x00null\r\n")
    sys.stderr.buffer.write(b"\x1b[31mred on stderr\x1b[0m\n")
    sys.stdout.flush()

while True:
    message, address = serverSocket.recvfrom(1024)
    serverSocket.sendto(message.upper(), address)
