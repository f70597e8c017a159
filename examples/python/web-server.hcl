# The reference HTTP client against a student's web server in Python
# (web_server.py, the sheet's WebServer.py skeleton filled in), serving
# examples/www.
#
#   go run ./host examples/python/web-server.hcl

variable "python" {
  default = "/usr/bin/python3"
}

variable "port" {
  default = 6789
}

lab {
  name = "Simple Web Server, Python server"
}

web_server "student" {
  listen = "127.0.0.1:${var.port}"
  root   = "../www"
  plugin {
    command = [var.python, "web_server.py"]
    env     = { PYTHONPATH = "../../plugins/python" }
  }
}

web_client "reference" {
  server = web_server.student.address
  paths  = ["/HelloWorld.html", "/docs/", "/missing.html"]
}
