# Prints terminal escapes (retitle, clear, hide the rest) and crashes, so its last output is in the report.
import sys
sys.stdout.write("\x1b]0;pwned\x07\x1b[2J\x1b[8mhidden\x1b[0m\r\n")
sys.stdout.flush()
raise SystemExit("\x1b[31mfatal\x1b[0m \x07")
