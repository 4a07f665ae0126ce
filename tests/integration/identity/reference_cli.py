#!/usr/bin/python3
"""A stand-in for `sipcred identity sign|verify` built from the independent tools of this folder
(sipmsg.py, openssl CLI, verify_identity.py). It exists only to prove identity_interop.sh's
sections a-e before sipcred's own command lands: run
    bash tests/integration/identity_interop.sh tests/integration/identity/reference_cli.py
Never registered with ctest (its known-answer test compares the openssl signer with itself).
Follows the CLI contract of issue 7:
    identity sign --key KEY --info URL [--scheme rfc4474|rfc8224] [--alg rsa-sha1|rsa-sha256]
                  [--body-claim] [--in FILE] [--date DATE]
    identity verify [--in FILE] [--ca PEM] [--window S] [--allow-host HOST]... [--cert CERT]
RFC 8224 body claim of this stand-in: "sipcred_body" = base64url SHA-256 of the body, ppt=sipcred
(the real claim name is sipcred's choice)."""
import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import sipmsg  # noqa: E402


def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def der_to_rs(der):
    # ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3) -> R||S (RFC 7518 §3.4)
    i = 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)
    out = b""
    for _ in range(2):
        n = der[i + 1]
        out += der[i + 2:i + 2 + n].lstrip(b"\x00").rjust(32, b"\x00")
        i += 2 + n
    return out


def openssl_sign(key, md, data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["openssl", "dgst", md, "-sign", key, f.name], check=True,
                              capture_output=True).stdout


def sign(a):
    path = a.input or "/dev/stdin"
    msg = sipmsg.Msg(open(path, "rb").read())
    sipmsg.ensure_date(msg, a.date)
    if a.scheme == "rfc4474":
        alg = a.alg or "rsa-sha1"
        sig = openssl_sign(a.key, {"rsa-sha1": "-sha1", "rsa-sha256": "-sha256"}[alg], sipmsg.digest_string(msg))
        msg.set("Identity", '"%s"' % base64.b64encode(sig).decode())
        msg.set("Identity-Info", "<%s>;alg=%s" % (a.info, alg))
    else:
        header = {"alg": "ES256", "typ": "passport", "x5u": a.info}
        payload = {"dest": {"uri": [sipmsg.addr_spec(msg.get("to"))]}, "iat": int(time.time()),
                   "orig": {"uri": sipmsg.addr_spec(msg.get("from"))}}
        params = ";info=<%s>;alg=ES256" % a.info
        if a.body_claim:
            header["ppt"] = "sipcred"
            payload["sipcred_body"] = b64url(hashlib.sha256(msg.body).digest())
            params += ";ppt=sipcred"
        si = b64url(json.dumps(header, separators=(",", ":"), sort_keys=True).encode()) + "." + \
            b64url(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        sig = der_to_rs(openssl_sign(a.key, "-sha256", si.encode()))
        msg.set("Identity", si + "." + b64url(sig) + params)
    sys.stdout.buffer.write(msg.bytes())


def verify(a):
    path = a.input or "/dev/stdin"
    data = open(path, "rb").read()
    msg = sipmsg.Msg(data)
    ident = msg.get("identity") or ""
    m = re.search(r"<(https?://[^>]*)>", msg.get("identity-info") or "") or re.search(r"info=<([^>]*)>", ident)
    if m and a.allow_host:
        host = re.match(r"https?://\[?([^/\]:]+)", m.group(1)).group(1)
        if host not in a.allow_host:
            print("436 Bad Identity-Info: host %s not allowed" % host)
            sys.exit(1)
    cmd = ["/usr/bin/python3", os.path.join(here, "verify_identity.py"), path]
    for opt in ("cert", "ca", "window"):
        if getattr(a, opt) is not None:
            cmd += ["--" + opt, str(getattr(a, opt))]
    sys.exit(subprocess.run(cmd).returncode)


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print("Subcommands:\n  identity                    SIP Identity (stand-in)")
        return
    ap = argparse.ArgumentParser(prog="reference_cli identity")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sign")
    s.add_argument("--key", required=True)
    s.add_argument("--info", required=True)
    s.add_argument("--scheme", default="rfc4474", choices=["rfc4474", "rfc8224"])
    s.add_argument("--alg", choices=["rsa-sha1", "rsa-sha256"])
    s.add_argument("--body-claim", action="store_true")
    s.add_argument("--in", dest="input")
    s.add_argument("--date")
    v = sub.add_parser("verify")
    v.add_argument("--in", dest="input")
    v.add_argument("--ca")
    v.add_argument("--window", type=int)
    v.add_argument("--allow-host", action="append", default=[])
    v.add_argument("--cert")
    if sys.argv[1] != "identity":
        sys.exit("only 'identity' here")
    a = ap.parse_args(sys.argv[2:])
    sign(a) if a.cmd == "sign" else verify(a)


if __name__ == "__main__":
    main()
