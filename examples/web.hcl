# The Simple Web Server lab like the sheet runs it: the reference web server
# serves examples/www on port 6789, with no client of its own. Open
#
#   http://127.0.0.1:6789/HelloWorld.html
#
# in a browser, then a file that is not there (http://127.0.0.1:6789/nope.html)
# for "404 Not Found". Every request shows up as it is answered.
#
#   go run ./host examples/web.hcl                    # until Ctrl-C
#   go run ./host --var duration=1m examples/web.hcl  # for one minute
#
# The server listens on loopback only; for a browser on another machine, set
# listen = "0.0.0.0:${var.port}" and trust everyone on your network.

variable "port" {
  default = 6789
}

variable "duration" {
  default = "0s" # how long the lab runs; 0s: until interrupted
}

lab {
  name     = "Simple Web Server"
  duration = var.duration
}

web_server "server" {
  listen = "127.0.0.1:${var.port}"
  root   = "www"
}
