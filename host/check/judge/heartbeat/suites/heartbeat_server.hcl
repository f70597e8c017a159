# The UDP Heartbeat server (the sheet's optional exercise 2): it reports
# lost heartbeats and declares a client down when its heartbeats stop.
#
# The component under test is the heartbeat_server block; the reference
# client beats through a link whose seeded loss decides which heartbeats
# are lost. A plain program cannot be told dead_after: the down scenario's
# silence (12 s) is long enough for the common thresholds (5-10 s); the
# down check's silence says how long a plain server may take. Reporting a
# client up again goes beyond the sheet.

suite {
  role        = "heartbeat_server"
  description = "UDP Heartbeat server: lost heartbeats, clients down and up"
}

scenario "loss" {
  description = "A client beats every 50 ms through a link that drops about one in five: the server reports exactly those lost, and never declares the client down."
  check "lost" {
    points = 3
  }
  check "no_false_down" {}

  lab {
    seed    = 5
    timeout = "30s"
  }
  heartbeat_server "student" {
    listen         = "127.0.0.1:0"
    dead_after     = "1s"
    reorder_window = "200ms"
  }
  heartbeat_client "reference" {
    server   = heartbeat_server.student.address
    interval = "50ms"
    count    = 40
    link {
      loss = 0.2
    }
  }
}

scenario "down" {
  description = "A client beats every 100 ms, falls silent for 12 s, then beats again: the server declares it down (first notice judged; repeats are fine) about dead_after (a plain server: its own threshold, up to 11 s) into the silence, and (extra) up when it is back."
  check "down" {
    points  = 2
    silence = "11s"
  }
  check "up" {
    extra   = true
    silence = "11s"
  }

  lab {
    timeout = "40s"
  }
  heartbeat_server "student" {
    listen     = "127.0.0.1:0"
    dead_after = "1s"
  }
  heartbeat_client "reference" {
    server      = heartbeat_server.student.address
    interval    = "100ms"
    count       = 20
    pause_after = "1s"
    pause_for   = "12s"
  }
}
