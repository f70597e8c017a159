# A student's HTTP client in Python (web_client.py, the web lab's optional
# exercise 2) against the reference web server, serving examples/www.
#
#   go run ./host examples/python/web-client.hcl

variable "python" {
  default = "/usr/bin/python3"
}

variable "port" {
  default = 6789
}

lab {
  name = "Simple Web Server, Python client"
}

web_server "reference" {
  listen = "127.0.0.1:${var.port}"
  root   = "../www"
}

web_client "student" {
  server = web_server.reference.address
  paths  = ["/HelloWorld.html", "/docs/", "/missing.html"]
  plugin {
    command = [var.python, "web_client.py"]
    env     = { PYTHONPATH = "../../plugins/python" }
  }
}
