# WebServer.py skeleton from the lab sheet, as a socklab plugin. Fill in the
# code between "# Fill in start" and "# Fill in end"; each place may take
# one or more lines. The filled-in version is ../web_server.py; run yours
# with a lab file like ../web-server.hcl, its command naming your file.
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
    # Prepare a server socket: bind it to socklab.address(config.listen), listen
    # Fill in start
    # Fill in end
    out.ready(serverSocket)  # the host closes serverSocket when it stops us
    print("Ready to serve %s on port %d" % (root, serverSocket.getsockname()[1]))

    totals = {"connections": 0, "requests": 0, "bytes": 0, "by_status": {}}
    lock = threading.Lock()
    threads = []
    while True:
        # Establish the connection
        try:
            connectionSocket, addr = # Fill in start  # Fill in end
        except OSError:
            break  # our socket was closed: the host stopped us
        args = (connectionSocket, addr, root, config, out, totals, lock)
        if config.concurrency == web_pb2.CONCURRENCY_ONE_AT_A_TIME:
            serve(*args)
        else:
            # Optional exercise 1: serve the connection in a new thread,
            # appended to threads
            # Fill in start
            # Fill in end
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
        # Send the status line and the header lines (Content-Type,
        # Content-Length, Connection: close), an empty line, and for a GET
        # the body
        # Fill in start
        # Fill in end
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
        # Close client socket
        # Fill in start
        # Fill in end
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
        data = # Fill in start  # Fill in end
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
        # Read the file's bytes into outputdata
        # Fill in start
        # Fill in end
    except IOError:
        # The file is not there: answer 404 Not Found with the NOT_FOUND page
        # Fill in start
        # Fill in end
    return 200, "OK", outputdata, mimetypes.guess_type(filename)[0] or "application/octet-stream"


socklab.serve_web_server(run)
