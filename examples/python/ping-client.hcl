# A student's ping client in Python (ping_client.py) against the reference
# server.
#
#   go run ./host examples/python/ping-client.hcl
#
# python is an interpreter with Debian's python3-grpcio and python3-protobuf;
# --var python=python3 picks another one that has grpcio and protobuf.

variable "python" {
  default = "/usr/bin/python3"
}

variable "port" {
  default = 12000
}

lab {
  name = "UDP Pinger, Python client"
}

ping_server "reference" {
  listen = "127.0.0.1:${var.port}"
}

ping_client "student" {
  server  = ping_server.reference.address
  timeout = "1s"
  plugin {
    command = [var.python, "ping_client.py"]
    env     = { PYTHONPATH = "../../plugins/python" }
  }
}
