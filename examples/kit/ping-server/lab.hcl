# The reference ping client against your server:
#
#   socklab run examples/kit/ping-server/lab.hcl

ping_server "student" {
  listen    = "127.0.0.1:0"
  drop_rate = 4 / 11
  plugin {
    go = "."
  }
}

ping_client "reference" {
  server  = ping_server.student.address
  count   = 10
  timeout = "1s"
}
