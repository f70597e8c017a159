import socket
import sys

if len(sys.argv) != 4:
    print("usage: client.py server_host server_port filename")
    sys.exit(1)
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
sock.connect((sys.argv[1], int(sys.argv[2])))
sock.sendall(("GET /" + sys.argv[3] + " HTTP/1.1\r\nHost: " + sys.argv[1] + "\r\nConnection: close\r\n\r\n").encode())
chunks = []
while True:
    chunk = sock.recv(4096)
    if not chunk:
        break
    chunks.append(chunk)
sock.close()
text = b"".join(chunks).decode()
header, _, body = text.partition("\r\n\r\n")
print(header)
print()
print(body)
