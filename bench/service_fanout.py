#!/usr/bin/env python3
"""Fan-out against the real server, and what it does to other traffic (bench/service_fanout.sh).

  service_fanout.py HOST UDP_PORT TLS_PORT SUBSCRIBERS CERT_DER KEY_DER

1. SUBSCRIBERS certificate subscriptions of sip:alice@example.com from one UDP socket (distinct
   Call-IDs and tags), every NOTIFY answered 200 (Via, From, To, Call-ID, CSeq echoed, RFC 3261
   §8.2.6).
2. A prober on another UDP socket sends OPTIONS every 2 ms and times each 200.
3. Alice re-PUBLISHes over TLS (tls_client.py; the server runs with min_notify_interval = 0 so
   that CERT-7's minute does not hold the change back); the time from the first to the last
   NOTIFY carrying the new etag is the fan-out as the subscribers see it, and the OPTIONS sent
   meanwhile show whether other traffic waited (worst round trip; unanswered ones were dropped).
Prints one line of figures.
"""
import os, re, socket, subprocess, sys, threading, time, uuid

host, port, tls_port, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
cert, key = sys.argv[5], sys.argv[6]
here = os.path.dirname(os.path.abspath(__file__))
client = os.path.join(here, "..", "tests", "integration", "tls_client.py")


def hdr(msg, name):
    m = re.search(r"(?im)^" + name + r"\s*:\s*(.*?)\r$", msg)
    return m.group(1) if m else None


sub = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sub.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE: the whole burst fits
sub.bind((host, 0))
sub_port = sub.getsockname()[1]
arrivals = []  # (time, Call-ID, Event) of every NOTIFY
counts = {"notify": 0}
answered = set()  # Call-IDs of SUBSCRIBEs answered
lock = threading.Lock()
done = threading.Event()


def answer_loop():
    while not done.is_set():
        try:
            data, addr = sub.recvfrom(65536)
        except socket.timeout:
            continue
        t = time.monotonic()
        msg = data.split(b"\r\n\r\n", 1)[0].decode("latin-1") + "\r"
        if msg.startswith("SIP/2.0 "):
            with lock:
                answered.add(hdr(msg, "Call-ID"))
            continue
        if not msg.startswith("NOTIFY "):
            continue
        vias = re.findall(r"(?im)^(?:Via|v)\s*:.*?\r$", msg)
        reply = ("SIP/2.0 200 OK\r\n" + "\r\n".join(v[:-1] for v in vias) + "\r\n" +
                 "".join(f"{h}: {hdr(msg, h)}\r\n" for h in ("From", "To", "Call-ID", "CSeq")) +
                 "Content-Length: 0\r\n\r\n")
        sub.sendto(reply.encode(), addr)
        with lock:
            counts["notify"] += 1
            arrivals.append((t, hdr(msg, "Call-ID"), hdr(msg, "Event") or ""))


sub.settimeout(0.2)
threading.Thread(target=answer_loop, daemon=True).start()

requests = {}
for i in range(n):
    cid = uuid.uuid4().hex
    requests[cid] = (f"SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"
                     f"Via: SIP/2.0/UDP {host}:{sub_port};branch=z9hG4bK{uuid.uuid4().hex[:16]}\r\n"
                     f"Max-Forwards: 70\r\nFrom: <sip:w{i}@example.org>;tag={uuid.uuid4().hex[:16]}\r\n"
                     f"To: <sip:alice@example.com>\r\nCall-ID: {cid}\r\n"
                     f"CSeq: 1 SUBSCRIBE\r\nContact: <sip:w{i}@{host}:{sub_port}>\r\n"
                     f"Event: certificate\r\nExpires: 3600\r\nContent-Length: 0\r\n\r\n").encode()
# RFC 3261 §17.1.2.2: a request unanswered is sent again (same branch: the server's transaction
# absorbs a copy it already has).
for attempt in range(8):
    with lock:
        todo = [c for c in requests if c not in answered]
    if not todo:
        break
    for k, cid in enumerate(todo):
        sub.sendto(requests[cid], (host, port))
        if k % 100 == 99:
            time.sleep(0.02)  # no burst beyond what the server's socket buffer takes
    time.sleep(1.0)
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    with lock:
        if counts["notify"] >= n:
            break
    time.sleep(0.1)
with lock:
    if len(answered) < n or counts["notify"] < n:
        sys.exit(f"{len(answered)} of {n} SUBSCRIBEs answered, {counts['notify']} first NOTIFYs")
time.sleep(1)

probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
probe.bind((host, 0))
probe.settimeout(0.002)
pport = probe.getsockname()[1]
rtts = []  # (send time, round trip or None)
sent = {}
stop_probe = threading.Event()


def probe_loop():
    k = 0
    while not stop_probe.is_set():
        k += 1
        b = f"z9hG4bKo{k}"
        sent[b] = time.monotonic()
        probe.sendto((f"OPTIONS sip:{host}:{port} SIP/2.0\r\nVia: SIP/2.0/UDP {host}:{pport};branch={b}\r\n"
                      f"Max-Forwards: 70\r\nFrom: <sip:probe@example.org>;tag=p{k}\r\n"
                      f"To: <sip:{host}>\r\nCall-ID: probe{k}\r\nCSeq: {k} OPTIONS\r\n"
                      f"Content-Length: 0\r\n\r\n").encode(), (host, port))
        end = time.monotonic() + 0.002
        while time.monotonic() < end:
            try:
                data, _ = probe.recvfrom(65536)
            except socket.timeout:
                break
            m = re.search(rb"branch=(z9hG4bKo\d+)", data)
            if m and m.group(1).decode() in sent:
                b0 = m.group(1).decode()
                rtts.append((sent[b0], time.monotonic() - sent.pop(b0)))
    for b0, t0 in sent.items():
        rtts.append((t0, None))


pt = threading.Thread(target=probe_loop)
pt.start()
time.sleep(1)
t_pub = time.monotonic()
etag = subprocess.run([sys.executable, client, host, tls_port, "publish", "sip:alice@example.com",
                       "alice", "wonderland", cert, key], capture_output=True, text=True,
                      check=True).stdout.strip()
t_ok = time.monotonic()


def notified():
    first = {}
    with lock:
        for t, cid, event in arrivals:
            if etag in event:
                first.setdefault(cid, t)
    return first


deadline = time.monotonic() + 60
while time.monotonic() < deadline and len(notified()) < n:
    time.sleep(0.05)
got = notified()
t_first = min(got.values()) if got else float("nan")
t_last = max(got.values()) if got else float("nan")
time.sleep(1)
stop_probe.set()
pt.join()
done.set()

before = [r for t, r in rtts if t < t_pub - 0.1 and r is not None]
during = [(t, r) for t, r in rtts if t_first - 0.05 <= t <= t_last]
answered_during = [r for _, r in during if r is not None]
lost = len(during) - len(answered_during)
med = sorted(before)[len(before) // 2] if before else float("nan")
worst = max(answered_during) if answered_during else float("nan")
print(f"subscribers={n} notified={len(got)} fanout_ms={(t_last - t_first) * 1e3:.0f} "
      f"publish_to_first_ms={(t_first - t_pub) * 1e3:.0f} "
      f"options_before_median_ms={med * 1e3:.2f} options_during={len(during)} "
      f"options_during_worst_ms={worst * 1e3:.0f} options_during_unanswered={lost}")
