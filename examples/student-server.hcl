# The reference ping client against a student's server (examples/ping-server).
#
#   go run ./host examples/student-server.hcl

variable "port" {
  default = 12000
}

ping_server "student" {
  listen    = "127.0.0.1:${var.port}"
  drop_rate = 0.3
  plugin {
    go = "./ping-server"
  }
}

ping_client "reference" {
  server = ping_server.student.address
}
