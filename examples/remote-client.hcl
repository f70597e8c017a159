# The UDP Pinger's client against a server on another machine (see
# remote-server.hcl): name that machine's address and port.
#
#   socklab run --var server=192.168.1.20:12000 examples/remote-client.hcl
#
# The link still runs here, on loopback, in front of the client: it
# records what went out and came back, and can add loss or delay to the
# real network's.

variable "server" {
  default = "192.168.1.20:12000"
}

lab {
  name = "UDP Pinger client to another machine"
}

ping_client "client" {
  server  = var.server
  count   = 10
  timeout = "1s"
}
