#!/usr/bin/env python3
"""Many PUBLISHes in flight over TLS, for the crash test and the PUBLISH benchmark; written apart
from sipcred (Python ssl + hashlib, the digest of tls_client.py).

  publish_load.py HOST PORT AOR USER PASSWORD CERT_DER KEY_DER --clients N --seconds S --log FILE

N threads, each on its own TLS connection (connections spread over source addresses
127.0.0.2, .3, ... so that the server's per-source limit is not what is measured), PUBLISH the
credential again and again, one request in flight per connection. Each PUBLISH after a 2xx
carries SIP-If-Match with the entity-tag that 2xx gave (RFC 3903 §4.4, modify); a 412 (another
client changed the state meanwhile) makes the next one an initial PUBLISH without it. The first
challenge of a connection is answered and its nonce reused with a growing nonce-count (RFC 7616
§3.4.5), as a UA does. When the connection breaks (the server was killed) the request in flight
is counted as lost and the thread reconnects until the time is up.

The log gets one line per outcome, flushed at once: "ack ETAG" for every 2xx (its SIP-ETag),
"lost" for a request whose answer never came, "status CODE" for other final answers. The last
line of stdout is a summary: acks lost statuses seconds acks_per_second. With --unconditional
no PUBLISH carries SIP-If-Match (bench/service_publish.sh measures throughput that way).
"""
import argparse, os, socket, ssl, sys, threading, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tls_client import digest, header, read_message  # noqa: E402


class Log:
    def __init__(self, path):
        self.f = open(path, "a") if path else None
        self.lock = threading.Lock()
        self.acks = self.lost = self.other = 0

    def write(self, kind, line):
        with self.lock:
            if kind == "ack":
                self.acks += 1
            elif kind == "lost":
                self.lost += 1
            else:
                self.other += 1
            if self.f:
                self.f.write(line + "\n")
                self.f.flush()


def body_of(cert, key):
    b = "b" + uuid.uuid4().hex
    part = ("--{b}\r\nContent-Type: {t}\r\nContent-Disposition: signal\r\n"
            "Content-Transfer-Encoding: binary\r\n\r\n")
    body = (part.format(b=b, t="application/pkix-cert").encode() + cert + b"\r\n" +
            part.format(b=b, t="application/pkcs8").encode() + key + f"\r\n--{b}--\r\n".encode())
    return body, f"multipart/mixed;boundary={b}"


def client(n, a, body, ctype, deadline, log):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    source = "127.0.0.%d" % (a.first_source + n // 8)
    etag = None
    while time.monotonic() < deadline:
        try:
            raw = socket.create_connection((a.host, a.port), timeout=5, source_address=(source, 0))
            sock = ctx.wrap_socket(raw, server_hostname="example.com")
        except OSError:
            time.sleep(0.05)  # the server is down or restarting
            continue
        local = "%s:%d" % sock.getsockname()[:2]
        call_id, buf, cseq, challenge, nc = uuid.uuid4().hex, b"", 0, None, 0
        try:
            while time.monotonic() < deadline:
                cseq += 1
                lines = [f"PUBLISH {a.aor} SIP/2.0",
                         f"Via: SIP/2.0/TLS {local};branch=z9hG4bK{uuid.uuid4().hex[:16]}",
                         "Max-Forwards: 70", f"From: <{a.aor}>;tag=py{n}", f"To: <{a.aor}>",
                         f"Call-ID: {call_id}", f"CSeq: {cseq} PUBLISH",
                         "Event: credential", "Content-Type: " + ctype]
                if challenge:
                    nc += 1
                    lines.append("Authorization: " +
                                 digest(challenge, "PUBLISH", a.aor, a.user, a.password, nc))
                if etag and not a.unconditional:
                    lines.append("SIP-If-Match: " + etag)
                lines.append(f"Content-Length: {len(body)}")
                try:
                    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
                    head, _, buf = read_message(sock, buf)
                except (OSError, SystemExit):
                    if challenge:  # an authorized PUBLISH was in flight: it may have been stored
                        log.write("lost", "lost")
                    raise OSError("closed")
                status = int(head.split(" ", 2)[1])
                if status == 401:
                    challenge, nc = header(head, "WWW-Authenticate"), 0
                elif status == 200:
                    etag = header(head, "SIP-ETag")
                    log.write("ack", "ack " + etag)
                else:
                    if status == 412:
                        etag = None
                    log.write("status", "status %d" % status)
        except OSError:
            pass
        finally:
            sock.close()


def main():
    p = argparse.ArgumentParser()
    for name in ("host", "port", "aor", "user", "password", "cert", "key"):
        p.add_argument(name)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--log")
    p.add_argument("--first-source", type=int, default=2,
                   help="clients bind 127.0.0.FIRST_SOURCE and up, eight to an address")
    p.add_argument("--unconditional", action="store_true",
                   help="no SIP-If-Match: every PUBLISH replaces the state (no 412s; benchmark)")
    a = p.parse_args()
    a.port = int(a.port)
    body, ctype = body_of(open(a.cert, "rb").read(), open(a.key, "rb").read())
    log = Log(a.log)
    start = time.monotonic()
    deadline = start + a.seconds
    threads = [threading.Thread(target=client, args=(i, a, body, ctype, deadline, log))
               for i in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    print(f"{log.acks} {log.lost} {log.other} {elapsed:.2f} {log.acks / elapsed:.1f}")


if __name__ == "__main__":
    main()
