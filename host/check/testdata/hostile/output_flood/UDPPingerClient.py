# Prints without end.
while True:
    print("Reply from 127.0.0.1: Ping 1 RTT: 0.000100 seconds " * 20)
