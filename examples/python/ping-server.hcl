# The reference ping client against a student's server in Python
# (ping_server.py, the sheet's UDPPingerServer.py).
#
#   go run ./host examples/python/ping-server.hcl

variable "python" {
  default = "/usr/bin/python3"
}

variable "port" {
  default = 12000
}

lab {
  name = "UDP Pinger, Python server"
}

ping_server "student" {
  listen    = "127.0.0.1:${var.port}"
  drop_rate = 0.3
  plugin {
    command = [var.python, "ping_server.py"]
    env     = { PYTHONPATH = "../../plugins/python" }
  }
}

ping_client "reference" {
  server = ping_server.student.address
}
