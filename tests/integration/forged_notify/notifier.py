#!/usr/bin/env python3
"""A fake certificate notifier on loopback UDP for forged_notify_test.sh: it plays a domain's
notifier for one `sipcred fetch` exchange, so that the test decides what the NOTIFY says and how
(or whether) it is signed. Written from RFC 3261 and RFC 6665, sharing nothing with sipcred.

    notifier.py PORT_FILE BODY SIGN [--from URI]

Binds 127.0.0.1:0 and writes the port to PORT_FILE. For the first SUBSCRIBE it builds and signs
the NOTIFY, answers 200 OK (RFC 6665 §4.2.1) with a To tag of its own and Expires: 0, then sends
the NOTIFY in that dialog (RFC 6665 §4.2.2; RFC 3261 §12.2.1.1): From = the SUBSCRIBE's To URI (or --from URI) with the
tag of the 200, To = the subscriber's From with its tag, the same Call-ID, Contact, Event:
certificate, Subscription-State: terminated;reason=timeout, body = BODY (DER,
application/pkix-cert). SIGN is a shell command that reads the unsigned NOTIFY on stdin and
prints the request to send (`cat` sends it unsigned). Retransmitted SUBSCRIBEs get the same 200;
the NOTIFY is resent on RFC 3261 Timer E's schedule until the 200 for it arrives (or 5 s).
Exit 0 once the NOTIFY was answered 200, 1 otherwise. The NOTIFY sent is saved as
PORT_FILE.notify, the status line of its answer as PORT_FILE.answer.
"""
import argparse
import os
import secrets
import socket
import subprocess
import sys
import time

COMPACT = {"f": "from", "t": "to", "i": "call-id", "m": "contact", "v": "via", "o": "event",
           "l": "content-length"}


def parse(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("utf-8", "replace").split("\r\n")
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # RFC 3261 §7.3.1 folding
            headers[-1][1] += " " + line.strip()
            continue
        name, _, value = line.partition(":")
        n = name.strip().lower()
        headers.append([COMPACT.get(n, n), value.strip()])
    return lines[0], headers, body


def first(headers, name):
    for n, v in headers:
        if n == name:
            return v
    return None


def uri_of(name_addr):
    """The addr-spec of a name-addr or addr-spec header value (RFC 3261 §20.10)."""
    if "<" in name_addr:
        return name_addr[name_addr.index("<") + 1:name_addr.index(">")]
    return name_addr.split(";")[0].strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port_file")
    ap.add_argument("body")
    ap.add_argument("sign")
    ap.add_argument("--from", dest="from_uri")
    a = ap.parse_args()
    body = open(a.body, "rb").read()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(a.port_file + ".tmp", a.port_file)

    s.settimeout(30)
    to_tag = secrets.token_hex(6)
    ok200 = None
    notify = None
    peer = None
    deadline = None
    interval = 0.5  # RFC 3261 Timer E starts at T1
    next_send = None
    while True:
        now = time.monotonic()
        if notify is not None:
            if now >= deadline:
                open(a.port_file + ".answer", "w").write("timeout\n")
                return 1
            s.settimeout(max(0.01, next_send - now))
        try:
            raw, src = s.recvfrom(65535)
        except socket.timeout:
            if notify is None:
                return 1
            s.sendto(notify, peer)
            interval = min(interval * 2, 4.0)
            next_send = time.monotonic() + interval
            continue
        start, headers, _ = parse(raw)
        if start.startswith("SUBSCRIBE "):
            if ok200 is None:
                ok200 = "\r\n".join([
                    "SIP/2.0 200 OK",
                    "Via: " + first(headers, "via") + ";received=%s" % src[0],
                    "From: " + first(headers, "from"),
                    "To: " + first(headers, "to") + ";tag=" + to_tag,
                    "Call-ID: " + first(headers, "call-id"),
                    "CSeq: " + first(headers, "cseq"),
                    "Contact: <sip:notifier@127.0.0.1:%d>" % port,
                    "Expires: 0",
                    "Content-Length: 0", "", ""]).encode()
            if notify is not None:
                s.sendto(ok200, src)
                continue
            # RFC 6665 §4.2.2 / RFC 3261 §12.1.1: the notifier's side of the dialog.
            contact = uri_of(first(headers, "contact"))
            aor = uri_of(first(headers, "to"))
            unsigned = "\r\n".join([
                "NOTIFY %s SIP/2.0" % contact,
                "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport" % (port, secrets.token_hex(8)),
                "Max-Forwards: 70",
                "From: <%s>;tag=%s" % (a.from_uri or aor, to_tag),
                "To: " + first(headers, "from"),
                "Call-ID: " + first(headers, "call-id"),
                "CSeq: 1 NOTIFY",
                "Contact: <sip:notifier@127.0.0.1:%d>" % port,
                "Event: certificate",
                "Subscription-State: terminated;reason=timeout",
                "Content-Type: application/pkix-cert",
                "Content-Disposition: signal",
                "Content-Length: %d" % len(body), "", ""]).encode() + body
            notify = subprocess.run(a.sign, shell=True, input=unsigned, stdout=subprocess.PIPE,
                                    check=True).stdout
            open(a.port_file + ".notify", "wb").write(notify)
            peer = src
            # Signed before the 200 goes out, so that the NOTIFY follows it at once however slow
            # the signer (the client waits 5 s after its 2xx).
            s.sendto(ok200, src)
            s.sendto(notify, peer)
            deadline = time.monotonic() + 5
            next_send = time.monotonic() + interval
        elif start.startswith("SIP/2.0 ") and notify is not None and " NOTIFY" in (
                first(headers, "cseq") or ""):
            open(a.port_file + ".answer", "w").write(start + "\n")
            return 0 if start.startswith("SIP/2.0 200") else 1


if __name__ == "__main__":
    sys.exit(main())
