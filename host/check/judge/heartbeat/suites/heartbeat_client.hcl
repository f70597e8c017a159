# The UDP Heartbeat client (the sheet's optional exercise 2): numbered,
# timestamped heartbeats, one every interval.
#
# The component under test is the heartbeat_client block; its link records
# every heartbeat and the reference server says which it found malformed.

suite {
  role        = "heartbeat_client"
  description = "UDP Heartbeat client: Heartbeat <seq> <time>, steadily"
}

scenario "beats" {
  description = "Ten heartbeats, one every 200 ms (a plain program keeps its own interval)."
  check "message_format" {
    points = 2
  }
  check "sequence" {}
  check "periodic" {}
  check "count" {}

  lab {
    timeout = "40s"
  }
  heartbeat_server "reference" {
    listen = "127.0.0.1:0"
  }
  heartbeat_client "student" {
    server   = heartbeat_server.reference.address
    interval = "200ms"
    count    = 10
  }
}
