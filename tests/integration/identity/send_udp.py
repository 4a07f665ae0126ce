#!/usr/bin/env python3
"""Sends one SIP request over UDP and prints the status line of its final response.
    send_udp.py FILE HOST:PORT [TIMEOUT_SECONDS]   (FILE '-' = stdin)
Exit status: 0 for a 2xx, 1 for any other final response, 2 for no answer (timeout). The
request is sent as is (the test's Via carries ';rport', so the peer answers to our source port,
RFC 3581 §4); 1xx responses are skipped; a lost datagram is resent at 0.5 s, 1 s, 2 s
(RFC 3261 §17.1.2.2 timer E, loopback rarely needs it)."""
import socket
import sys
import time

data = sys.stdin.buffer.read() if sys.argv[1] == "-" else open(sys.argv[1], "rb").read()
host, port = sys.argv[2].rsplit(":", 1)
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
dest = (host, int(port))
deadline = time.monotonic() + timeout
resend, interval = time.monotonic(), 0.5
while True:
    now = time.monotonic()
    if now >= deadline:
        print("timeout")
        sys.exit(2)
    if now >= resend:
        s.sendto(data, dest)
        resend, interval = now + interval, min(interval * 2, 4.0)
    s.settimeout(max(0.01, min(deadline, resend) - now))
    try:
        reply, _ = s.recvfrom(65535)
    except socket.timeout:
        continue
    status = reply.split(b"\r\n", 1)[0].decode("utf-8", "replace")
    parts = status.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("SIP/2.0") or not parts[1].isdigit():
        continue
    code = int(parts[1])
    if code < 200:
        continue
    print(status)
    sys.exit(0 if code < 300 else 1)
