suite {
  role = "daytime_client"
}

scenario "answered" {
  check "reply" {
    points = 2
  }
  daytime_server "reference" {
    listen = "127.0.0.1:0"
  }
  daytime_client "student" {
    server = daytime_server.reference.address
  }
}
