# The UDP Heartbeat lab (the sheet's optional exercise 2 of the Pinger), all
# reference components. Two clients beat ten times a second: "stopper" stops
# for good after 1 s, "pauser" goes silent for 2 s and comes back. The server
# declares a client DOWN once dead_after has passed without a heartbeat from
# it, and UP again at its next one.
#
#   go run ./host examples/heartbeat.hcl
#
# stopper: seqs 1-10, then DOWN (last seq 10) about 1 s after seq 10.
# pauser:  seqs 1-10, DOWN (last seq 10), UP at seq 11 after 2.1 s of
#          silence, seqs 11-20, end.

variable "port" {
  default = 12000
}

lab {
  name = "UDP Heartbeat"
}

heartbeat_server "server" {
  listen         = "127.0.0.1:${var.port}"
  dead_after     = "1s"
  reorder_window = "300ms"
}

heartbeat_client "stopper" {
  server     = heartbeat_server.server.address
  client_id  = "stopper"
  interval   = "100ms"
  count      = 0 # no limit: stop_after ends it
  stop_after = "1s"
}

heartbeat_client "pauser" {
  server      = heartbeat_server.server.address
  client_id   = "pauser"
  interval    = "100ms"
  count       = 0
  pause_after = "1s"
  pause_for   = "2s"
  duration    = "4s" # also keeps the lab running while stopper is down
}
