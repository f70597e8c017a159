# WebServer.py: the lab sheet's skeleton filled in, served as a socklab
# plugin. It serves the files under config.root over HTTP on TCP sockets:
# 200 with the file, 404 Not Found for a missing one, 400 for a request it
# cannot read, 405 for a method other than GET and HEAD. One thread per
# connection (the multithreaded optional exercise), or one connection at a
# time like the sheet's skeleton when the lab says concurrency = "one_at_a_time".
import mimetypes
import os
import threading
import time
import urllib.parse
from socket import *

import socklab
from socklab.v1 import web_pb2

NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>\n"


def run(config, out):
    root = os.path.realpath(config.root)
    serverSocket = socket(AF_INET, SOCK_STREAM)
    # Prepare a server socket
    serverSocket.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
    serverSocket.bind(socklab.address(config.listen))
    serverSocket.listen(16)
    out.ready(serverSocket)  # the host closes serverSocket when it stops us
    print("Ready to serve %s on port %d" % (root, serverSocket.getsockname()[1]))

    totals = {"connections": 0, "requests": 0, "bytes": 0, "by_status": {}}
    lock = threading.Lock()
    threads = []
    while True:
        # Establish the connection
        try:
            connectionSocket, addr = serverSocket.accept()
        except OSError:
            break  # our socket was closed: the host stopped us
        args = (connectionSocket, addr, root, config, out, totals, lock)
        if config.concurrency == web_pb2.CONCURRENCY_ONE_AT_A_TIME:
            serve(*args)
        else:
            thread = threading.Thread(target=serve, args=args)
            thread.start()
            threads.append(thread)
    for thread in threads:
        thread.join(1.0)  # let requests in flight finish, briefly
    out.summary(**totals)


def serve(connectionSocket, addr, root, config, out, totals, lock):
    """Answers the one request of a connection, then closes it."""
    start = time.time()
    request = {"peer": addr}
    try:
        connectionSocket.settimeout(socklab.seconds(config.read_timeout))
        message = read_head(connectionSocket, config.max_header_bytes)
        method, target, proto = message.split(b"\r\n")[0].decode("ascii").split(" ")
        request.update(method=method, target=target, proto=proto)
        if not proto.startswith("HTTP/1."):
            raise ValueError("not an HTTP/1.x request")
        if method not in ("GET", "HEAD"):
            status, reason, body, kind = 405, "Method Not Allowed", b"", "text/plain"
        else:
            status, reason, body, kind = answer(root, target)
        header = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
            status, reason, kind, len(body))
        connectionSocket.sendall(header.encode() + (body if method == "GET" else b""))
        request.update(status=status, bytes=len(body) if method == "GET" else 0)
        if status != 200:
            request["reason"] = reason
    except timeout:
        request.update(status=0, reason="no whole request within the read timeout")
    except (ValueError, UnicodeError) as e:
        connectionSocket.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        request.update(status=400, reason="malformed request: %s" % e)
    except OSError as e:
        request.update(status=0, reason=str(e))
    finally:
        connectionSocket.close()
    request["duration"] = time.time() - start

    with lock:
        totals["connections"] += 1
        totals["requests"] += 1
        totals["bytes"] += request.get("bytes", 0)
        by_status = totals["by_status"]
        by_status[request["status"]] = by_status.get(request["status"], 0) + 1
    if config.report_requests:
        # Stamped when the connection came, so that requests show in the order
        # they were sent, whichever thread finished first.
        out.request(at=start, **request)


def read_head(connectionSocket, limit):
    """Receives the request line and headers, up to the empty line."""
    message = b""
    while b"\r\n\r\n" not in message:
        if len(message) > limit:
            raise ValueError("request head larger than %d bytes" % limit)
        data = connectionSocket.recv(4096)
        if not data:
            raise ValueError("connection closed before the end of the request head")
        message += data
    return message


def answer(root, target):
    """The status, reason, body and content type for a GET of target."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(target).path)
    filename = os.path.realpath(os.path.join(root, path.lstrip("/")))
    # No path may escape the root, through ".." or a link.
    if filename != root and not filename.startswith(root + os.sep):
        return 404, "Not Found", NOT_FOUND, "text/html"
    if os.path.isdir(filename):
        filename = os.path.join(filename, "index.html")
    try:
        with open(filename, "rb") as f:
            outputdata = f.read()
    except IOError:
        return 404, "Not Found", NOT_FOUND, "text/html"
    return 200, "OK", outputdata, mimetypes.guess_type(filename)[0] or "application/octet-stream"


socklab.serve_web_server(run)
