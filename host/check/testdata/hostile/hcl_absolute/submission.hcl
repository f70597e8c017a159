plugin {
  program = ["python3", "/usr/lib/socklab/reference/UDPPingerClient.py"]
}
