# The reference heartbeat client against your server, through a link that
# drops about one heartbeat in five; the client falls silent for 3 s after
# 2 s, then beats again:
#
#   socklab run examples/kit/heartbeat-server/lab.hcl

heartbeat_server "student" {
  listen     = "127.0.0.1:0"
  dead_after = "1s"
  plugin {
    go = "."
  }
}

heartbeat_client "reference" {
  server      = heartbeat_server.student.address
  interval    = "100ms"
  count       = 40
  pause_after = "2s"
  pause_for   = "3s"
  link {
    loss = 0.2
  }
}
