# The Simple Web Server. What the sheet asks for (most of the points): a
# file of the document root as 200 with its content (one header line is
# enough; the skeleton's trailing "\r\n" is fine), and 404 for a missing
# one. What goes beyond it is marked extra: the exact bytes, Content-Length
# and Content-Type, 400 for what is not HTTP, nothing outside the root, and
# (the optional exercise) one slow client must not block the others.
#
# Each scenario's directory gets the files below: the document root www/
# (a plain program runs there, as the sheet's server serves its own
# directory) and secret.txt beside it, which no request may reach. The
# component under test is the web_server block; the reference client
# fetches through a link, and probes send raw requests first.

suite {
  role        = "web_server"
  description = "Simple Web Server: 200 with the file, 404, 400, no traversal, concurrency"
  files = {
    "www/HelloWorld.html" = "<html><head><title>Hello</title></head><body><h1>Hello, World!</h1></body></html>\n"
    "www/big.html"        = join("", concat(["<html><body>\n"], [for i in range(1000) : format("<p>Line %04d of a page too big for one read: the server must send all of it, and the client show all of it.</p>\n", i)], ["</body></html>\n"]))
    "secret.txt"          = "The secret outside the document root: 8c1f3b7e-socklab\n"
  }
}

scenario "ok" {
  description = "GET a small and a big file: 200 with their content (extra: exactly their bytes, Content-Length and Content-Type)."
  check "ok" {
    points = 5
  }
  check "exact" {
    extra = true
  }
  check "headers" {
    extra = true
  }

  lab {
    timeout = "30s"
  }
  web_server "student" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "reference" {
    server    = web_server.student.address
    paths     = ["/HelloWorld.html", "/big.html"]
    show_body = true
  }
}

scenario "not_found" {
  description = "GET a file that is not there: 404 Not Found."
  check "not_found" {
    points = 4
  }

  lab {
    timeout = "30s"
  }
  web_server "student" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "reference" {
    server = web_server.student.address
    paths  = ["/missing.html"]
  }
}

scenario "malformed" {
  description = "Requests that are not HTTP get 400 Bad Request, and the server goes on serving files."
  check "malformed" {
    extra = true
  }
  check "ok" {
    extra = true
  }
  probe "garbage" {
    send = ["GARBAGE\r\n\r\n"]
  }
  probe "no_target" {
    send = ["GET\r\n\r\n"]
  }

  lab {
    timeout = "30s"
  }
  web_server "student" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "reference" {
    server    = web_server.student.address
    paths     = ["/HelloWorld.html"]
    show_body = true
  }
}

scenario "traversal" {
  description = "Paths that climb out of the document root are refused, and secret.txt beside it never comes back."
  check "traversal" {
    extra = true
  }

  lab {
    timeout = "30s"
  }
  web_server "student" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "reference" {
    server    = web_server.student.address
    paths     = ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"]
    show_body = true
  }
}

scenario "concurrency" {
  description = "A connection opens and sends nothing; meanwhile another client must still get its file."
  check "concurrent" {
    extra = true
  }
  probe "idle" {
    send = [""]
    hold = true
  }

  lab {
    timeout = "30s"
  }
  web_server "student" {
    listen = "127.0.0.1:0"
    root   = "www"
  }
  web_client "reference" {
    server    = web_server.student.address
    paths     = ["/HelloWorld.html"]
    timeout   = "3s"
    show_body = true
  }
}
