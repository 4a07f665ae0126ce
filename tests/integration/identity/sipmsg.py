#!/usr/bin/env python3
"""Minimal SIP request handling for the Identity interop tests, written from the RFCs and
independent of sipcred's own parser (the point of a known-answer test).

    sipmsg.py digest-string MSG [--date D]     the RFC 4474 §9 digest-string, raw bytes on stdout
    sipmsg.py add-identity MSG --identity V --info URL --alg ALG [--date D]
                                               MSG with Date (when absent), Identity and
                                               Identity-Info added at the end of the header
    sipmsg.py edit MSG [--fresh] [--date D] [--callid ID] [--start LINE] [--set 'Name: value']...
                       [--del NAME]... [--tamper-body] [--body-file F]
                                               rewritten message on stdout: --fresh = Date now
                                               (RFC 1123, GMT) and a new random Call-ID
    sipmsg.py header MSG NAME                  the value of the first NAME header (unfolded)

A message is the bytes of one request: start line, header fields, CRLF CRLF, body of exactly
Content-Length bytes (RFC 3261 §7.5, §20.14); MSG '-' reads stdin. Folded header lines (RFC 3261 §7.3.1) are unfolded
when read. Compact header names (RFC 3261 §7.3.3) are understood.
"""
import argparse
import email.utils
import re
import secrets
import sys
import time

COMPACT = {"f": "from", "t": "to", "i": "call-id", "m": "contact", "l": "content-length",
           "c": "content-type", "v": "via", "e": "content-encoding", "k": "supported",
           "s": "subject", "o": "event", "u": "allow-events", "y": "identity", "n": "identity-info"}


class Msg:
    def __init__(self, raw: bytes):
        head, sep, body = raw.partition(b"\r\n\r\n")
        if not sep:
            raise ValueError("no CRLF CRLF after the header")
        lines = head.decode("utf-8").split("\r\n")
        self.start = lines[0]
        self.headers = []  # [name, value] in order, unfolded
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and self.headers:
                self.headers[-1][1] += " " + line.strip()
                continue
            name, colon, value = line.partition(":")
            if not colon:
                raise ValueError("header line without colon: %r" % line)
            self.headers.append([name.strip(), value.strip()])
        cl = self.get("content-length")
        self.body = body[: int(cl)] if cl is not None else body

    @staticmethod
    def canon(name):
        n = name.lower()
        return COMPACT.get(n, n)

    def get(self, name):
        for n, v in self.headers:
            if self.canon(n) == self.canon(name):
                return v
        return None

    def set(self, name, value):
        for h in self.headers:
            if self.canon(h[0]) == self.canon(name):
                h[1] = value
                return
        self.headers.append([name, value])

    def delete(self, name):
        self.headers = [h for h in self.headers if self.canon(h[0]) != self.canon(name)]

    def bytes(self):
        head = "\r\n".join([self.start] + ["%s: %s" % (n, v) for n, v in self.headers])
        return head.encode("utf-8") + b"\r\n\r\n" + self.body


def addr_spec(value):
    """The addr-spec of a From/To/Contact value (RFC 3261 §20.10: name-addr / addr-spec; an
    addr-spec without angle brackets ends before the first ';', its header parameters)."""
    if value is None:
        return ""
    m = re.search(r"<([^>]*)>", value)
    if m:
        return m.group(1).strip()
    return value.split(";", 1)[0].strip()


def now_date():
    # RFC 3261 §20.17: rfc1123-date, always GMT.
    return email.utils.formatdate(time.time(), usegmt=True)


def digest_string(msg: Msg) -> bytes:
    """RFC 4474 §9: addr-spec of From | addr-spec of To | Call-ID | CSeq number SP method |
    Date | addr-spec of Contact (empty when absent) | body. LWS inside CSeq and Date are
    normalized to single spaces, as §9 asks."""
    cseq = " ".join(msg.get("cseq").split())
    date = " ".join(msg.get("date").split())
    contact = msg.get("contact")
    parts = [addr_spec(msg.get("from")), addr_spec(msg.get("to")), msg.get("call-id"), cseq, date,
             addr_spec(contact) if contact else ""]
    return "|".join(parts).encode("utf-8") + b"|" + msg.body


def ensure_date(msg, date):
    if msg.get("date") is None:
        msg.set("Date", date or now_date())


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("digest-string")
    d.add_argument("msg")
    d.add_argument("--date")
    a = sub.add_parser("add-identity")
    a.add_argument("msg")
    a.add_argument("--identity", required=True)
    a.add_argument("--info", required=True)
    a.add_argument("--alg", required=True)
    a.add_argument("--date")
    e = sub.add_parser("edit")
    e.add_argument("msg")
    e.add_argument("--fresh", action="store_true")
    e.add_argument("--date")
    e.add_argument("--callid")
    e.add_argument("--start", help="a new start line (Request-Line)")
    e.add_argument("--set", action="append", default=[])
    e.add_argument("--del", dest="delete", action="append", default=[])
    e.add_argument("--tamper-body", action="store_true")
    e.add_argument("--body-file")
    h = sub.add_parser("header")
    h.add_argument("msg")
    h.add_argument("name")
    args = ap.parse_args()
    msg = Msg(sys.stdin.buffer.read() if args.msg == "-" else open(args.msg, "rb").read())
    out = sys.stdout.buffer
    if args.cmd == "digest-string":
        ensure_date(msg, args.date)
        out.write(digest_string(msg))
    elif args.cmd == "add-identity":
        ensure_date(msg, args.date)
        msg.set("Identity", '"%s"' % args.identity)
        msg.set("Identity-Info", "<%s>;alg=%s" % (args.info, args.alg))
        out.write(msg.bytes())
    elif args.cmd == "edit":
        if args.fresh:
            msg.set("Date", now_date())
            msg.set("Call-ID", secrets.token_hex(8) + "@example.com")
        if args.date:
            msg.set("Date", args.date)
        if args.callid:
            msg.set("Call-ID", args.callid)
        if args.start:
            msg.start = args.start
        for name in args.delete:
            msg.delete(name)
        for hv in args.set:
            name, _, value = hv.partition(":")
            msg.set(name.strip(), value.strip())
        if args.body_file:
            msg.body = open(args.body_file, "rb").read()
        if args.tamper_body:
            # One bit flipped in the middle: same length, so Content-Length still holds.
            b = bytearray(msg.body)
            b[len(b) // 2] ^= 0x01
            msg.body = bytes(b)
        if msg.get("content-length") is not None:
            msg.set("Content-Length", str(len(msg.body)))
        out.write(msg.bytes())
    elif args.cmd == "header":
        v = msg.get(args.name)
        if v is None:
            sys.exit(1)
        print(v)


if __name__ == "__main__":
    main()
