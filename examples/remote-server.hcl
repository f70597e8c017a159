# The UDP Pinger's server for clients on other machines, as the lab sheet
# runs it: it listens on every interface of this machine, until Ctrl-C.
#
#   socklab run examples/remote-server.hcl
#
# and on the other machine, with this one's address (`ip -brief addr`):
#
#   socklab run --var server=192.168.1.20:12000 examples/remote-client.hcl
#
# The port must be open in this machine's firewall (UDP 12000).

variable "listen" {
  default = "0.0.0.0:12000"
}

variable "duration" { # how long to serve; "0s": until interrupted
  default = "0s"
}

lab {
  name     = "UDP Pinger server for other machines"
  duration = var.duration
}

ping_server "server" {
  listen    = var.listen
  drop_rate = 0.3
}
