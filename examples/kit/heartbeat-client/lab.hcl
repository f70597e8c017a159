# Your heartbeat client against the reference server, which reports each
# heartbeat, the lost ones and a client gone silent:
#
#   socklab run examples/kit/heartbeat-client/lab.hcl

heartbeat_server "reference" {
  listen = "127.0.0.1:0"
}

heartbeat_client "student" {
  server   = heartbeat_server.reference.address
  interval = "200ms"
  count    = 10
  plugin {
    go = "."
  }
}
