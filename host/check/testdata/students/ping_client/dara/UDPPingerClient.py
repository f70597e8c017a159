print("UDP Pinger client, lab 2")
