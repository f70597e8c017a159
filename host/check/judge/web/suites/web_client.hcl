# The web client of the sheet's optional exercise 2: "client.py
# server_host server_port filename" sends a GET and shows the response.
#
# The component under test is the web_client block (a plain program is run
# once per path, with the link's host and port and the file name); the
# reference server serves www/ and says what it was asked. The sheet's
# server closes each connection after its response; the reference keeps
# one open for idle_timeout, so a client that reads until the server
# closes (as the sheet's allows) waits 1 s, not the default 5 s. The
# sheet's server reads no header, so the reference answers a request
# without Host too (allow_no_host).

suite {
  role        = "web_client"
  description = "HTTP client: a well-formed GET, the status and the whole body shown"
  files = {
    "www/HelloWorld.html" = "<html><head><title>Hello</title></head><body><h1>Hello, World!</h1></body></html>\n"
    "www/big.html"        = join("", concat(["<html><body>\n"], [for i in range(1000) : format("<p>Line %04d of a page too big for one read: the server must send all of it, and the client show all of it.</p>\n", i)], ["</body></html>\n"]))
  }
}

scenario "fetch" {
  description = "Fetch a small file: the request is a well-formed GET, and the client shows 200 and the file."
  check "request" {}
  check "status" {}
  check "body" {
    points = 2
  }

  lab {
    timeout = "30s"
  }
  web_server "reference" {
    listen        = "127.0.0.1:0"
    root          = "www"
    idle_timeout  = "1s"
    allow_no_host = true
  }
  web_client "student" {
    server    = web_server.reference.address
    paths     = ["/HelloWorld.html"]
    show_body = true
  }
}

scenario "not_found" {
  description = "Fetch a file that is not there: the client shows the 404."
  check "request" {}
  check "status" {}

  lab {
    timeout = "30s"
  }
  web_server "reference" {
    listen        = "127.0.0.1:0"
    root          = "www"
    idle_timeout  = "1s"
    allow_no_host = true
  }
  web_client "student" {
    server    = web_server.reference.address
    paths     = ["/missing.html"]
    show_body = true
  }
}

scenario "big" {
  description = "Fetch a 110 kB file that the link delivers 1000 bytes at a time: the client shows all of it."
  check "body" {
    points = 2
  }

  lab {
    timeout = "30s"
  }
  web_server "reference" {
    listen        = "127.0.0.1:0"
    root          = "www"
    idle_timeout  = "1s"
    allow_no_host = true
  }
  web_client "student" {
    server    = web_server.reference.address
    paths     = ["/big.html"]
    show_body = true
    link {
      to_client {
        max_segment = 1000
      }
    }
  }
}
