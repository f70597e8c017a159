# The reference heartbeat clients of ../heartbeat.hcl against a student's
# server in Python (heartbeat_server.py). It must report what the reference
# server reports there: stopper DOWN after seq 10; pauser DOWN after seq 10
# and UP at seq 11.
#
#   go run ./host examples/python/heartbeat-server.hcl

variable "python" {
  default = "/usr/bin/python3"
}

variable "port" {
  default = 12000
}

lab {
  name = "UDP Heartbeat, Python server"
}

heartbeat_server "student" {
  listen         = "127.0.0.1:${var.port}"
  dead_after     = "1s"
  reorder_window = "300ms"
  plugin {
    command = [var.python, "heartbeat_server.py"]
    env     = { PYTHONPATH = "../../plugins/python" }
  }
}

heartbeat_client "stopper" {
  server     = heartbeat_server.student.address
  client_id  = "stopper"
  interval   = "100ms"
  count      = 0
  stop_after = "1s"
}

heartbeat_client "pauser" {
  server      = heartbeat_server.student.address
  client_id   = "pauser"
  interval    = "100ms"
  count       = 0
  pause_after = "1s"
  pause_for   = "2s"
  duration    = "4s"
}
