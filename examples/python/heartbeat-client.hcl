# A student's heartbeat client in Python (heartbeat_client.py) against the
# reference server. The client leaves out seqs 4 to 6, as if the network had
# lost them (SKIP), and pauses for 2 s after 1 s.
#
#   go run ./host examples/python/heartbeat-client.hcl
#
# The server reports: lost 4-6; DOWN after seq 10; UP at seq 11; then seqs
# 11-20 and the totals: 17 received, 3 lost (15%).

variable "python" {
  default = "/usr/bin/python3"
}

variable "port" {
  default = 12000
}

lab {
  name = "UDP Heartbeat, Python client"
}

heartbeat_server "reference" {
  listen         = "127.0.0.1:${var.port}"
  dead_after     = "1s"
  reorder_window = "300ms"
}

heartbeat_client "student" {
  server      = heartbeat_server.reference.address
  client_id   = "student"
  interval    = "100ms"
  count       = 20
  pause_after = "1s"
  pause_for   = "2s"
  plugin {
    command = [var.python, "heartbeat_client.py"]
    env     = { PYTHONPATH = "../../plugins/python", SKIP = "4,5,6" }
  }
}
