import socket
import time

client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.settimeout(1.0)
addr = ("localhost", 12000)

rtts = []
sent = 0
received = 0
for seq in range(1, 11):
    t = time.time()
    msg = "Ping %d %f" % (seq, t)
    client.sendto(msg.encode(), addr)
    sent += 1
    try:
        data, server = client.recvfrom(1024)
        end = time.time()
        elapsed = end - t
        rtts.append(elapsed)
        received += 1
        print(f"{data.decode()}  RTT = {elapsed:.6f} s")
    except socket.timeout:
        print("Request timed out")

lost = sent - received
print(f"Sent={sent}, Received={received}, Lost={lost} ({lost * 100 // sent}% loss)")
if rtts:
    print(f"Minimum RTT = {min(rtts):.6f}, Maximum RTT = {max(rtts):.6f}, Average RTT = {sum(rtts) / len(rtts):.6f}")
