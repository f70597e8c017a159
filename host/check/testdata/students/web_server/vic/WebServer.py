# Web server with the optional multithreading exercise
from socket import *
import threading
import os

def handle(conn):
    try:
        request = conn.recv(4096).decode(errors="replace")
        parts = request.split()
        if len(parts) < 2 or parts[0] != "GET":
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        path = parts[1].lstrip("/")
        if ".." in path or "%2e" in path.lower() or "%2f" in path.lower():
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        with open(path, "rb") as f:
            body = f.read()
        head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
        conn.sendall(head.encode() + body)
    except IOError:
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    finally:
        conn.close()

serverSocket = socket(AF_INET, SOCK_STREAM)
serverSocket.bind(("", 5050))
serverSocket.listen(5)
print("Serving on port 5050")
while True:
    c, a = serverSocket.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
