plugin {
  program = ["python3", "../victim/UDPPingerClient.py"]
}
