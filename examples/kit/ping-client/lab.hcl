# Your ping client against the reference server, which drops about one ping
# in three, as the sheet's UDPPingerServer.py does:
#
#   socklab run examples/kit/ping-client/lab.hcl

ping_server "reference" {
  listen = "127.0.0.1:0"
}

ping_client "student" {
  server  = ping_server.reference.address
  count   = 10
  timeout = "1s"
  plugin {
    go = "."
  }
}
