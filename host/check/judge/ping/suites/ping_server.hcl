# The UDP Pinger server: the lab sheet's UDPPingerServer.py, which echoes
# each datagram upper-cased and leaves some unanswered.
#
# The component under test is the ping_server block; the reference client
# pings it through a link that records every datagram both ways. Probes
# send raw datagrams to the server before the client starts.

suite {
  role        = "ping_server"
  description = "UDP Pinger server: echoes upper-cased, survives junk, drops near drop_rate"
}

scenario "echo" {
  description = "Twenty pings: each reply is its ping upper-cased."
  check "echo_upper" {
    points = 2
  }

  lab {
    timeout = "30s"
  }
  ping_server "student" {
    listen    = "127.0.0.1:0"
    drop_rate = 4 / 11
  }
  ping_client "reference" {
    server  = ping_server.student.address
    count   = 20
    timeout = "200ms"
  }
}

scenario "junk" {
  description = "Junk datagrams (empty, binary, not a ping, long) come first, then twenty pings: the server keeps answering."
  check "survives_junk" {
    points = 2
    extra  = true
  }
  probe "junk" {
    send = ["", "hex:fffe00c328", "hello", "PING", "Ping x y", join("", [for i in range(300) : "junk "])]
  }

  lab {
    timeout = "30s"
  }
  ping_server "student" {
    listen    = "127.0.0.1:0"
    drop_rate = 4 / 11
  }
  ping_client "reference" {
    server  = ping_server.student.address
    count   = 20
    timeout = "200ms"
  }
}

scenario "drop_rate" {
  description = "Four hundred pings: the share left unanswered is near drop_rate, 4/11 (the sheet's randint(0, 10) < 4)."
  check "drop_rate" {
    points = 2
  }

  lab {
    timeout = "60s"
  }
  ping_server "student" {
    listen    = "127.0.0.1:0"
    drop_rate = 4 / 11
  }
  ping_client "reference" {
    server  = ping_server.student.address
    count   = 400
    timeout = "25ms"
  }
}
