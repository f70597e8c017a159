import socket, time
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("", 12000))
srv.settimeout(5)
expected = 1
lost_total = 0
alive = True
while True:
    try:
        data, addr = srv.recvfrom(1024)
    except socket.timeout:
        if alive:
            print("Client", "has disconnected")
            alive = False
        continue
    if not alive:
        print("Client is back up")
        alive = True
    seq, sent = data.decode().split()[1:3]
    seq = int(seq)
    if seq > expected:
        lost_total += seq - expected
        print("Missing packets:", " ".join(str(s) for s in range(expected, seq)))
        print("total number of packets lost =", lost_total)
    expected = max(expected, seq + 1)
    print("delay", time.time() - float(sent))
