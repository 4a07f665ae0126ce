#!/usr/bin/env python3
"""A minimal SIP-over-TLS client for the integration tests, written apart from sipcred: Python's
ssl module for TLS and hashlib for RFC 7616 digest (MD5, qop=auth), so that what it checks is not
judged by sipcred's own code.

  tls_client.py HOST PORT publish   AOR USER PASSWORD CERT_DER KEY_DER   -> prints SIP-ETag
  tls_client.py HOST PORT subscribe AOR USER PASSWORD OUT_BODY           -> writes the NOTIFY body
  tls_client.py HOST PORT watch     AOR USER PASSWORD OUT_LOG            -> stays subscribed; one
      line per NOTIFY ("<Subscription-State>\t<sha256 of the body>\t<body length>") until a
      terminated state or 60 s of silence
"""
import hashlib, os, re, socket, ssl, sys, uuid

def read_message(sock, buf):
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    m = re.search(rb"(?im)^(?:Content-Length|l)\s*:\s*(\d+)", head)
    n = int(m.group(1)) if m else 0
    while len(rest) < n:
        rest += sock.recv(65536)
    return head.decode("latin-1"), rest[:n], rest[n:]

def header(head, name):
    m = re.search(r"(?im)^" + re.escape(name) + r"\s*:\s*(.*)$", head)
    return m.group(1).strip() if m else None

def digest(challenge, method, uri, user, password, count=1):
    p = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
    assert p.get("algorithm", "MD5") == "MD5", challenge
    h = lambda s: hashlib.md5(s.encode()).hexdigest()
    cnonce, nc = uuid.uuid4().hex[:16], "%08x" % count  # nonce-count (RFC 7616 §3.4)
    ha1 = h(f"{user}:{p['realm']}:{password}")
    ha2 = h(f"{method}:{uri}")
    resp = h(f"{ha1}:{p['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    out = (f'Digest username="{user}", realm="{p["realm"]}", nonce="{p["nonce"]}", uri="{uri}", '
           f'response="{resp}", algorithm=MD5, qop=auth, nc={nc}, cnonce="{cnonce}"')
    if "opaque" in p:
        out += f', opaque="{p["opaque"]}"'
    return out

def main():
    host, port, what, aor, user, password = sys.argv[1:7]
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection((host, int(port)), timeout=10)
    sock = ctx.wrap_socket(raw, server_hostname="example.com")
    local = "%s:%d" % sock.getsockname()[:2]
    call_id = uuid.uuid4().hex
    body, ctype = b"", None
    method = "PUBLISH" if what == "publish" else "SUBSCRIBE"
    if what == "publish":
        cert, key = open(sys.argv[7], "rb").read(), open(sys.argv[8], "rb").read()
        b = "b" + uuid.uuid4().hex
        body = (f"--{b}\r\nContent-Type: application/pkix-cert\r\nContent-Disposition: signal\r\n"
                f"Content-Transfer-Encoding: binary\r\n\r\n").encode() + cert + \
               (f"\r\n--{b}\r\nContent-Type: application/pkcs8\r\nContent-Disposition: signal\r\n"
                f"Content-Transfer-Encoding: binary\r\n\r\n").encode() + key + f"\r\n--{b}--\r\n".encode()
        ctype = f"multipart/mixed;boundary={b}"
    buf = b""
    for cseq in (1, 2):
        lines = [f"{method} {aor} SIP/2.0",
                 f"Via: SIP/2.0/TLS {local};branch=z9hG4bK{uuid.uuid4().hex[:12]}",
                 "Max-Forwards: 70", f"From: <{aor}>;tag=py{call_id[:6]}", f"To: <{aor}>",
                 f"Call-ID: {call_id}", f"CSeq: {cseq} {method}",
                 f"Contact: <sips:{user}@{local}>", "Event: credential"]
        if cseq == 2:
            lines.append("Authorization: " + digest(challenge, method, aor, user, password))
        if ctype:
            lines.append("Content-Type: " + ctype)
        lines.append(f"Content-Length: {len(body)}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head, _, buf = read_message(sock, buf)
        status = int(head.split(" ", 2)[1])
        if cseq == 1:
            assert status == 401, head
            challenge = header(head, "WWW-Authenticate")
    assert status == 200, head
    if what == "publish":
        print(header(head, "SIP-ETag"))
        return
    if what == "watch":
        sock.settimeout(60)
        with open(sys.argv[7], "a") as log:
            while True:
                nhead, nbody, buf = read_message(sock, buf)
                if not nhead.startswith("NOTIFY "):
                    continue
                state = header(nhead, "Subscription-State")
                log.write(f"{state}\t{hashlib.sha256(nbody).hexdigest()}\t{len(nbody)}\n")
                log.flush()
                via, frm, to, cid, cs = (header(nhead, h) for h in ("Via", "From", "To", "Call-ID", "CSeq"))
                sock.sendall((f"SIP/2.0 200 OK\r\nVia: {via}\r\nFrom: {frm}\r\nTo: {to}\r\n"
                              f"Call-ID: {cid}\r\nCSeq: {cs}\r\nContent-Length: 0\r\n\r\n").encode())
                if state.startswith("terminated"):
                    return
    # The NOTIFY of the new subscription (CRED-4) arrives on this connection.
    nhead, nbody, buf = read_message(sock, buf)
    assert nhead.startswith("NOTIFY "), nhead
    print(header(nhead, "Event"))
    print(header(nhead, "Content-Type"))
    open(sys.argv[7], "wb").write(nbody)
    via, frm, to, cid, cs = (header(nhead, h) for h in ("Via", "From", "To", "Call-ID", "CSeq"))
    sock.sendall((f"SIP/2.0 200 OK\r\nVia: {via}\r\nFrom: {frm}\r\nTo: {to}\r\nCall-ID: {cid}\r\n"
                  f"CSeq: {cs}\r\nContent-Length: 0\r\n\r\n").encode())

if __name__ == "__main__":
    main()
