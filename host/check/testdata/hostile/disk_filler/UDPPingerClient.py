# Fills the disk: one file as large as it can.
with open("filler.bin", "wb") as f:
    while True:
        f.write(b"x" * (1 << 20))
