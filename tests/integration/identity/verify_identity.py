#!/usr/bin/env python3
"""An independent SIP Identity verifier (python3 + the openssl CLI), the cross-check of the
issue 7 tests. Same output contract as `sipcred identity verify`:
    verify_identity.py MSG [--cert FILE] [--ca PEM] [--window SECONDS] [--no-replay-file]
stdout 'valid rfc4474 <From addr-spec>' / 'valid rfc8224 <From addr-spec>', exit 0; or
'<code> <reason>: <detail>', exit 1, with the RFC 4474 §14 / RFC 8224 §6.2.2 codes:
428 no Identity; 436 certificate URL unusable; 437 certificate does not cover the From
domain (or does not chain to --ca); 438 signature does not verify; 403 Stale Date.

RFC 4474: Identity: "base64" over the §9 digest-string (sipmsg.digest_string), Identity-Info
<URL>;alg=rsa-sha1|rsa-sha256, the signature checked with `openssl dgst -verify`.
RFC 8224: Identity: JWS compact form (RFC 7515 §7.1) ;info=<URL>;alg=ES256[;ppt=...]; header
and payload JSON (RFC 8225 §4-§5); the ES256 signature is R||S (RFC 7518 §3.4), turned into
the DER ECDSA-Sig-Value openssl wants; orig/dest must match the From/To (RFC 8224 §6.2.1);
iat within the window (default 60 s, RFC 8224 §4.1 "recommended" freshness).
The certificate comes from --cert (DER or PEM) or is fetched from the https URL with the
trust anchors of --ca (python's ssl), then checked with `openssl verify -CAfile` (when --ca is
given) and its DNS SubjectAltNames must contain the From host (RFC 4474 §6 step 2; a sip: URI
SAN without user also counts). Date: RFC 4474 §6 step 4 (default window 3600 s)."""
import argparse
import base64
import email.utils
import hashlib
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sipmsg  # noqa: E402


def fail(code, reason, detail):
    print("%d %s: %s" % (code, reason, detail))
    sys.exit(1)


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_int(b):
    b = b.lstrip(b"\x00") or b"\x00"
    if b[0] & 0x80:
        b = b"\x00" + b
    return b"\x02" + der_len(len(b)) + b


def host_of(uri):
    m = re.match(r"(?i)(?:sips?|tel):(?:[^@]*@)?([^;:?>]+)", uri)
    return m.group(1).lower() if m else ""


def fetch(url, ca, tmpdir):
    if not url.lower().startswith("https://"):
        fail(436, "Bad Identity-Info", "not an https URL: %s" % url)
    ctx = ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()
    try:
        with urllib.request.urlopen(url, context=ctx, timeout=5) as r:
            data = r.read(65536 + 1)
    except Exception as e:  # any failure to get the bytes is the URL's fault (RFC 4474 §14.3)
        fail(436, "Bad Identity-Info", "%s: %s" % (url, e))
    if len(data) > 65536:
        fail(436, "Bad Identity-Info", "certificate larger than 64 KiB")
    path = os.path.join(tmpdir, "cert.bin")
    open(path, "wb").write(data)
    return path


def to_pem(path, tmpdir):
    pem = os.path.join(tmpdir, "cert.pem")
    for form in ("DER", "PEM"):
        r = subprocess.run(["openssl", "x509", "-inform", form, "-in", path, "-out", pem],
                           capture_output=True)
        if r.returncode == 0:
            return pem
    fail(436, "Bad Identity-Info", "not a certificate")


def check_cert(pem, ca, from_host):
    if ca:
        r = subprocess.run(["openssl", "verify", "-CAfile", ca, pem], capture_output=True, text=True)
        if r.returncode != 0:
            fail(437, "Unsupported Certificate", "chain: " + (r.stdout + r.stderr).strip().replace("\n", " "))
    r = subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-ext", "subjectAltName"],
                       capture_output=True, text=True)
    names = []
    for item in r.stdout.replace("\n", ",").split(","):
        item = item.strip()
        if item.startswith("DNS:"):
            names.append(item[4:].lower())
        elif item.startswith("URI:") and "@" not in item:
            names.append(host_of(item[4:]))
    if from_host not in names:
        fail(437, "Unsupported Certificate", "certificate names %s, From host is %s" % (names, from_host))


def verify_sig(pem, md, data, sig, tmpdir):
    pub = os.path.join(tmpdir, "pub.pem")
    subprocess.run(["openssl", "x509", "-in", pem, "-noout", "-pubkey", "-out", pub], check=True)
    dpath, spath = os.path.join(tmpdir, "data"), os.path.join(tmpdir, "sig")
    open(dpath, "wb").write(data)
    open(spath, "wb").write(sig)
    r = subprocess.run(["openssl", "dgst", md, "-verify", pub, "-signature", spath, dpath],
                       capture_output=True, text=True)
    return r.returncode == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("msg")
    ap.add_argument("--cert")
    ap.add_argument("--ca")
    ap.add_argument("--window", type=int)
    args = ap.parse_args()
    msg = sipmsg.Msg(open(args.msg, "rb").read())
    ident = msg.get("identity")
    if ident is None:
        fail(428, "Use Identity Header", "no Identity header")
    from_aor = sipmsg.addr_spec(msg.get("from"))
    from_host = host_of(from_aor)
    tmpdir = tempfile.mkdtemp()
    try:
        if ident.startswith('"'):
            scheme = "rfc4474"
            sig = base64.b64decode(ident.strip('"'))
            info = msg.get("identity-info")
            if info is None:
                fail(436, "Bad Identity-Info", "no Identity-Info header")
            m = re.match(r"\s*<([^>]*)>(.*)", info)
            if not m:
                fail(436, "Bad Identity-Info", "no <URL>")
            url = m.group(1)
            am = re.search(r"(?i);\s*alg\s*=\s*([A-Za-z0-9-]+)", m.group(2))
            alg = am.group(1).lower() if am else "rsa-sha1"
            md = {"rsa-sha1": "-sha1", "rsa-sha256": "-sha256"}.get(alg)
            if md is None:
                fail(437, "Unsupported Certificate", "alg %s" % alg)  # RFC 4474 §6 step 1
            date = msg.get("date")
            if date is None:
                fail(403, "Stale Date", "no Date header")
            age = time.time() - email.utils.parsedate_to_datetime(date).timestamp()
            window = args.window if args.window is not None else 3600
            if abs(age) > window:
                fail(403, "Stale Date", "Date %s is %d s away" % (date, age))
            pem = to_pem(args.cert or fetch(url, args.ca, tmpdir), tmpdir)
            check_cert(pem, args.ca, from_host)
            if not verify_sig(pem, md, sipmsg.digest_string(msg), sig, tmpdir):
                fail(438, "Invalid Identity Header", "signature over the digest-string")
        else:
            scheme = "rfc8224"
            token, _, params = ident.partition(";")
            pm = dict((k.strip().lower(), v.strip())
                      for k, _, v in (p.partition("=") for p in params.split(";") if p.strip()))
            try:
                h64, p64, s64 = token.strip().split(".")
                header, payload = json.loads(b64url(h64)), json.loads(b64url(p64))
                rs = b64url(s64)
            except Exception as e:
                fail(438, "Invalid Identity Header", "not a JWS compact token: %s" % e)
            if header.get("alg") != "ES256" or pm.get("alg", "ES256") != "ES256" or len(rs) != 64:
                fail(438, "Invalid Identity Header", "alg %s" % header.get("alg"))
            url = pm.get("info", "").strip("<>") or header.get("x5u", "")
            window = args.window if args.window is not None else 60
            iat = payload.get("iat", 0)
            if abs(time.time() - iat) > window:
                fail(403, "Stale Date", "iat %s is %d s away" % (iat, time.time() - iat))
            # RFC 8224 §6.2.1: orig identity from From, dest from To; tn compares digits only.
            orig, dest = payload.get("orig", {}), payload.get("dest", {})
            to_aor = sipmsg.addr_spec(msg.get("to"))
            if "uri" in orig:
                if orig["uri"] != from_aor:
                    fail(438, "Invalid Identity Header", "orig.uri %s is not From %s" % (orig["uri"], from_aor))
            elif "tn" in orig:
                # RFC 8224 §8.3: compare telephone numbers as digits only (no '+', no visual
                # separators); the From user part of a sip: URI or the tel: number.
                user = re.sub(r"[^0-9]", "", re.sub(r"(?i)^(sips?|tel):|[@;].*$", "", from_aor))
                if re.sub(r"[^0-9]", "", orig["tn"]) != user or not user:
                    fail(438, "Invalid Identity Header", "orig.tn %s is not From user %s" % (orig["tn"], user))
            else:
                fail(438, "Invalid Identity Header", "no orig")
            if "uri" in dest and to_aor not in dest["uri"]:
                fail(438, "Invalid Identity Header", "dest.uri %s lacks To %s" % (dest["uri"], to_aor))
            pem = to_pem(args.cert or fetch(url, args.ca, tmpdir), tmpdir)
            check_cert(pem, args.ca, from_host)
            der = der_int(rs[:32]) + der_int(rs[32:])
            der = b"\x30" + der_len(len(der)) + der
            if not verify_sig(pem, "-sha256", (h64 + "." + p64).encode(), der, tmpdir):
                fail(438, "Invalid Identity Header", "ES256 signature")
            # Our body extension (issue 7, ppt other than "shaken"): some claim beyond RFC 8225's
            # must equal the body's SHA-256 (base64url or hex); its name is sipcred's choice.
            if pm.get("ppt") not in (None, "shaken", '"shaken"'):
                digest = hashlib.sha256(msg.body).digest()
                forms = {base64.urlsafe_b64encode(digest).decode().rstrip("="), digest.hex()}
                claims = [v for k, v in payload.items() if k not in ("iat", "orig", "dest")]
                if not any(isinstance(v, str) and v in forms for v in claims):
                    fail(438, "Invalid Identity Header", "ppt=%s: no claim holds the body's SHA-256" % pm["ppt"])
        print("valid %s %s" % (scheme, from_aor))
    finally:
        subprocess.run(["rm", "-rf", tmpdir])


if __name__ == "__main__":
    main()
