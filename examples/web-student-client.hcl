# A student's HTTP client in Go (examples/web-client, the sheet's
# "client server_host server_port filename") against the reference web
# server, serving examples/www.
#
#   go run ./host examples/web-student-client.hcl

variable "port" {
  default = 6789
}

lab {
  name = "Simple Web Server, student client"
}

web_server "reference" {
  listen = "127.0.0.1:${var.port}"
  root   = "www"
}

web_client "student" {
  server    = web_server.reference.address
  paths     = ["HelloWorld.html", "/docs/", "/missing.html"]
  show_body = true
  plugin {
    go = "./web-client"
  }
}
