# The Simple Web Server lab with the sheet's HTTP client (optional exercise
# 2), all reference components: the client fetches HelloWorld.html, the
# directory /docs/ (its index.html) and a file that is not there, which the
# server answers with "404 Not Found".
#
#   go run ./host examples/web-fetch.hcl

variable "port" {
  default = 6789
}

lab {
  name = "Simple Web Server and client"
}

web_server "server" {
  listen = "127.0.0.1:${var.port}"
  root   = "www"
}

web_client "client" {
  server = web_server.server.address
  # The sheet's client takes a file name: "HelloWorld.html" is "/HelloWorld.html".
  paths     = ["HelloWorld.html", "/docs/", "/missing.html"]
  show_body = true # print the start of each body
}
