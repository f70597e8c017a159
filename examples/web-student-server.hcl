# The reference HTTP client against a student's web server in Go
# (examples/web-server, the sheet's WebServer.py skeleton filled in, with a
# goroutine per connection), serving examples/www.
#
#   go run ./host examples/web-student-server.hcl
#
# concurrency = "one_at_a_time" runs the skeleton's one-connection loop.

variable "port" {
  default = 6789
}

lab {
  name = "Simple Web Server, student server"
}

web_server "student" {
  listen      = "127.0.0.1:${var.port}"
  root        = "www"
  concurrency = "per_connection"
  plugin {
    go = "./web-server"
  }
}

web_client "reference" {
  server    = web_server.student.address
  paths     = ["/HelloWorld.html", "/docs/", "/missing.html"]
  show_body = true
}
