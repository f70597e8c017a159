# The UDP Pinger client: the program the lab sheet asks students to write.
#
# Each scenario is a lab: the reference server, the client under test (the
# ping_client block; socklab check supplies its plugin) and the client's
# link, whose seeded impairments decide which datagrams are lost or late.
# The checks judge what crossed the link, not what any program printed.
# Copy this file (socklab check --role ping_client --show-suite), change
# points or add scenarios, and pass it with --suite.

suite {
  role        = "ping_client"
  description = "UDP Pinger client: Ping <seq> <time>, 1 s timeout, RTTs and statistics"
}

scenario "clean" {
  description = "Ten pings over a clean link: every one is answered."
  check "message_format" {
    points = 2
  }
  check "sequence" {}
  check "count" {}
  check "timeouts" {}

  lab {
    timeout = "30s"
  }
  ping_server "reference" {
    listen    = "127.0.0.1:0"
    drop_rate = 0
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 10
    timeout = "1s"
  }
}

scenario "lossy" {
  description = "Ten pings, some lost on the way out and some on the way back: Request timed out exactly for those, after 1 s, and the loss in the statistics."
  check "timeouts" {
    points = 2
  }
  check "timeout_length" {}
  check "statistics" {
    extra = true
  }

  lab {
    seed    = 4
    timeout = "40s"
  }
  ping_server "reference" {
    listen    = "127.0.0.1:0"
    drop_rate = 0
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 10
    timeout = "1s"
    link {
      loss   = 0.25
      delay  = "5ms"
      jitter = "4ms"
    }
  }
}

scenario "rtt" {
  description = "Ten pings over a link with 40 ms (give or take 30 ms) each way: the RTTs and min/avg/max the client shows."
  check "rtt" {
    points = 2
  }
  check "statistics" {
    extra = true
  }

  lab {
    seed    = 2
    timeout = "30s"
  }
  ping_server "reference" {
    listen    = "127.0.0.1:0"
    drop_rate = 0
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 10
    timeout = "1s"
    link {
      delay  = "40ms"
      jitter = "30ms"
    }
  }
}

scenario "late_replies" {
  description = "Every reply comes 1.5 s after its ping, past the 1 s timeout: each ping must time out, and a late reply must not pass for the next ping's."
  check "timeouts" {
    points = 2
  }
  check "replies" {}
  check "timeout_length" {}

  lab {
    timeout = "40s"
  }
  ping_server "reference" {
    listen    = "127.0.0.1:0"
    drop_rate = 0
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 4
    timeout = "1s"
    link {
      to_client {
        delay = "1500ms"
      }
    }
  }
}

scenario "slow_replies" {
  description = "Every reply comes 0.6 s after its ping, within the 1 s timeout: each is a reply, with its RTT."
  check "timeouts" {}
  check "rtt" {}

  lab {
    timeout = "30s"
  }
  ping_server "reference" {
    listen    = "127.0.0.1:0"
    drop_rate = 0
  }
  ping_client "student" {
    server  = ping_server.reference.address
    count   = 4
    timeout = "1s"
    link {
      to_client {
        delay = "600ms"
      }
    }
  }
}
