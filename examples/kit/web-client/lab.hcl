# Your web client against the reference server, which serves examples/www:
#
#   socklab run examples/kit/web-client/lab.hcl

web_server "reference" {
  listen = "127.0.0.1:0"
  root   = "../../www"
}

web_client "student" {
  server    = web_server.reference.address
  paths     = ["/HelloWorld.html", "/missing.html"]
  show_body = true
  plugin {
    go = "."
  }
}
