# The UDP Pinger lab from the sheet: the reference server echoes upper-cased
# pings and drops about 4 in 11 of them; the reference client sends 10 pings,
# waits up to 1 s for each, and prints the statistics of the standard ping.
#
#   go run ./host            runs this file
#   go run ./host validate lab.hcl
#
# To run your own client against the reference server, give it a plugin
# block (see README.md):  plugin { go = "./examples/ping-client" }

lab {
  name = "UDP Pinger"
}

ping_server "server" {
  listen    = "127.0.0.1:12000"
  drop_rate = 4 / 11
}

ping_client "client" {
  server  = ping_server.server.address
  count   = 10
  timeout = "1s"
}
