plugin {
  builtin = true
}
