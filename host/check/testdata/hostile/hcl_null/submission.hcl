plugin {
  program = [null]
}
