# client.py: the HTTP client of the web server lab's optional exercise 2
# ("client.py server_host server_port filename"), served as a socklab
# plugin. For each path of the lab file it connects to the server by TCP,
# sends a GET request, reads the whole response and prints its status line.
import time
from socket import *

import socklab


def run(config, out):
    serverAddress = socklab.address(config.server)
    requests = ok = failed = 0
    for path in config.paths:
        if out.stopped:
            break
        response = fetch(serverAddress, config, path)
        if "error" in response:
            print("%s: %s" % (path, response["error"]))
        else:
            print("%s: %s, %d bytes" % (path, response["status_line"], response["body_size"]))
        requests += 1
        if "error" not in response and 200 <= response["status"] < 300:
            ok += 1
        elif "error" in response or response["status"] >= 400:
            failed += 1
        out.response(**response)
    out.summary(requests=requests, ok=ok, failed=failed)


def fetch(serverAddress, config, path):
    """One request and its response, as the fields of a WebResponse event."""
    start = time.time()
    deadline = start + socklab.seconds(config.timeout)
    response = {"path": path}
    clientSocket = socket(AF_INET, SOCK_STREAM)
    try:
        clientSocket.settimeout(deadline - time.time())
        clientSocket.connect(serverAddress)
        request = "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (config.method, path, config.server)
        clientSocket.sendall(request.encode())
        # Connection: close, so the response ends where the connection does.
        data = b""
        while True:
            clientSocket.settimeout(max(0.001, deadline - time.time()))
            chunk = clientSocket.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        status_line = lines[0]
        version, status = status_line.split(" ")[:2]
        if not version.startswith("HTTP/"):
            raise ValueError("malformed status line %r" % status_line)
        headers = [line.split(":", 1) for line in lines[1:]]
        response.update(status_line=status_line, status=int(status), body_size=len(body),
                        headers=[(name, value.strip()) for name, value in headers])
        if config.show_body:
            response["body"] = body
    except timeout:
        response["error"] = "no whole response within %s seconds" % socklab.seconds(config.timeout)
    except (OSError, ValueError) as e:
        response["error"] = str(e)
    finally:
        clientSocket.close()
    response["duration"] = time.time() - start
    return response


socklab.serve_web_client(run)
