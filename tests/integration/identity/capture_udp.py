#!/usr/bin/env python3
"""A UDP SIP endpoint that records what it receives (issue 7: the request Kamailio signed).
    capture_udp.py PORT OUT [COUNT]
Binds 127.0.0.1:PORT, and for each of COUNT (default 1) requests writes its bytes to OUT (the
first), OUT.2, OUT.3, ... and answers 200 OK statelessly (RFC 3261 §8.2.6: the request's Via,
From, To, Call-ID and CSeq copied), to the address of the top Via (its received/rport when the
sender put them there, RFC 3581 §4) or else to the source. Exits after COUNT requests; prints
'ready' on stdout once bound."""
import re
import socket
import sys

port, out = int(sys.argv[1]), sys.argv[2]
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))
print("ready", flush=True)
n = 0
while n < count:
    data, src = s.recvfrom(65535)
    if data.startswith(b"SIP/2.0"):
        continue
    n += 1
    with open(out if n == 1 else "%s.%d" % (out, n), "wb") as f:
        f.write(data)
    head = data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    keep = [h for h in head[1:] if re.match(r"(?i)(via|v|from|f|to|t|call-id|i|cseq)\s*:", h)]
    reply = "SIP/2.0 200 OK\r\n" + "".join(h + "\r\n" for h in keep) + "Content-Length: 0\r\n\r\n"
    dest = src
    vias = [h for h in keep if re.match(r"(?i)(via|v)\s*:", h)]
    if vias:
        m = re.search(r"SIP/2.0/UDP\s+([^;:\s,]+)(?::(\d+))?([^,]*)", vias[0], re.I)
        if m:
            params = m.group(3)
            hostv = re.search(r";received=([^;,\s]+)", params)
            rport = re.search(r";rport=(\d+)", params)
            dest = (hostv.group(1) if hostv else m.group(1),
                    int(rport.group(1)) if rport else int(m.group(2) or 5060))
    try:
        s.sendto(reply.encode(), dest)
    except OSError:
        s.sendto(reply.encode(), src)
