import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
# counts from 0
for seq in range(0, 10):
    t = time.time()
    s.sendto(f"Ping {seq} {t}".encode(), ("127.0.0.1", 12000))
    try:
        d, a = s.recvfrom(1024)
        print(f"Received {d.decode()} RTT: {time.time() - t:.6f} seconds")
    except socket.timeout:
        print("Request timed out")
