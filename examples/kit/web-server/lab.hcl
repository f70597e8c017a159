# The reference web client against your server, fetching a page that is
# there and one that is not; www/ is examples/www:
#
#   socklab run examples/kit/web-server/lab.hcl

web_server "student" {
  listen = "127.0.0.1:0"
  root   = "../../www"
  plugin {
    go = "."
  }
}

web_client "reference" {
  server    = web_server.student.address
  paths     = ["/HelloWorld.html", "/missing.html"]
  show_body = true
}
