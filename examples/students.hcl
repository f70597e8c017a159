# Student against student: both ping plugins from examples/.
#
#   go run ./host examples/students.hcl

variable "port" {
  default = 12000
}

ping_server "server" {
  listen = "127.0.0.1:${var.port}"
  plugin {
    go = "./ping-server"
  }
}

ping_client "client" {
  server = ping_server.server.address
  plugin {
    go = "./ping-client"
  }
}
