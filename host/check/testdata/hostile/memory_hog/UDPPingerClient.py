# Takes memory until it is stopped.
hoard = []
while True:
    hoard.append(bytearray(16 << 20))
