# A student's ping client (examples/ping-client, built by the host) against
# the reference server.
#
#   go run ./host examples/student-client.hcl

variable "port" {
  default = 12000
}

ping_server "reference" {
  listen = "127.0.0.1:${var.port}"
}

ping_client "student" {
  server  = ping_server.reference.address
  timeout = "1s"
  plugin {
    go = "./ping-client"
  }
}
