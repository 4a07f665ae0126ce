#!/usr/bin/env bash
# No secret in the logs, at any level (issue 5 "Logs"): `sipcred serve` runs at --log-level trace
# with JSON lines while a Python client (tls_client.py: ssl + hashlib) authenticates with digest,
# PUBLISHes an openssl-made credential, fetches it through a credential subscription, publishes
# an unencrypted key (refused) and tries a wrong password. Then the whole log, and what the
# operator's commands printed, are searched for the password, each HA1 (computed here with
# hashlib), the digest nonce secret (data/digest.key), the PKCS#8 keys (raw, hex, base64) and the
# key's passphrase, the TLS server key and the domain's identity signing key (RFC 4474: every
# NOTIFY here is signed with it). None may appear.
#   logs_secrets_test.sh PATH_TO_SIPCRED
set -euo pipefail
sipcred=$1
here=$(cd "$(dirname "$0")" && pwd)
certs="$here/../data/certs"
work=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
port=$(( 20000 + RANDOM % 20000 ))
tls_port=$(( port + 1 ))
server_pid=

cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.pem" -days 2 \
  -subj "/CN=example.com" -addext "subjectAltName=DNS:example.com" \
  -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
# The domain's signing key and certificate (ID-1), as an operator would make them.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/id.key" -out "$work/id.pem" -days 2 \
  -subj "/CN=example.com" -addext "subjectAltName=DNS:example.com" 2>/dev/null
openssl pkey -in "$work/id.key" -outform DER -out "$work/id.key.der"
openssl pkey -in "$work/tls.key" -outform DER -out "$work/tls.key.der"
https_port=$(( port + 2 ))
cat > "$work/sipcred.toml" <<TOML
data_dir = "$work/data"
[sip]
listen = ["127.0.0.1:$port"]
tls_listen = ["127.0.0.1:$tls_port"]
[service]
domains = ["example.com"]
digest_algorithms = ["MD5"]   # the Python client answers MD5 only
[[tls.identity]]
domain = "example.com"
certificate = "$work/tls.pem"
key = "$work/tls.key"
[https]
listen = ["127.0.0.1:$https_port"]
[[identity.domain]]
domain = "example.com"
key = "$work/id.key"
certificate = "$work/id.pem"
TOML
# A password no other string in the log could contain by chance.
password="pw-$(openssl rand -hex 12)"
wrong="wrong-$(openssl rand -hex 12)"
echo "$password" > "$work/pw"
echo "$wrong" > "$work/wrong"
{
  "$sipcred" user add --data-dir "$work/data" --aor sip:alice@example.com --password-file "$work/pw"
  "$sipcred" user passwd --data-dir "$work/data" --aor sip:alice@example.com \
    --password-file "$work/pw"
} > "$work/cli.out" 2>&1

serve_and_wait "$sipcred" "$work/server.log" --config "$work/sipcred.toml" --log-level trace --log-format json

client() { python3 "$here/tls_client.py" 127.0.0.1 "$tls_port" "$@"; }
etag=$(client publish sip:alice@example.com alice "$password" "$certs/good.der" \
  "$certs/good-aes.p8.der")
[ -n "$etag" ] || { echo "FAIL publish"; exit 1; }
echo "ok   publish (etag $etag)"
client subscribe sip:alice@example.com alice "$password" "$work/notify.body" > "$work/notify.hdr"
grep -q "^credential;etag=$etag" "$work/notify.hdr" || { echo "FAIL subscribe"; exit 1; }
echo "ok   credential subscription"
# PUB-7 style 2 refuses an unencrypted key; the refused key must not be logged either.
if client publish sip:alice@example.com alice "$password" "$certs/good.der" \
  "$certs/good.p8.der" > "$work/plain.out" 2>&1; then
  echo "FAIL an unencrypted key was accepted"; exit 1
fi
echo "ok   unencrypted key refused"
if client publish sip:alice@example.com alice "$wrong" "$certs/good.der" \
  "$certs/good-aes.p8.der" > "$work/wrong.out" 2>&1; then
  echo "FAIL a wrong password was accepted"; exit 1
fi
echo "ok   wrong password refused"
"$sipcred" credential show --data-dir "$work/data" sip:alice@example.com >> "$work/cli.out" 2>&1
"$sipcred" credential show --json --data-dir "$work/data" sip:alice@example.com \
  >> "$work/cli.out" 2>&1
"$sipcred" credential list --json --data-dir "$work/data" >> "$work/cli.out" 2>&1

kill "$server_pid"
wait "$server_pid" || true
server_pid=
# The signing key was loaded (and its log line is searched below like every other).
grep -q "identity: NOTIFYs from example.com signed rfc4474 rsa-sha1 with its 2048-bit RSA key" \
  "$work/server.log" || { cat "$work/server.log"; echo "FAIL identity key not loaded"; exit 1; }

python3 - "$work" "$password" "$wrong" "$certs" <<'PY'
import base64, hashlib, json, sys
work, password, wrong, certs = sys.argv[1:5]
log = open(f"{work}/server.log", "rb").read()
cli = open(f"{work}/cli.out", "rb").read()
lines = log.decode("utf-8").splitlines()
assert len(lines) >= 4, lines
# Every line is one JSON object (docs/operations.md "Logs"); the messages are searched decoded
# too, so that an escaped secret (\u00xx) is found as well.
msgs = []
for line in lines:
    obj = json.loads(line)
    assert {"time", "level", "msg"} <= obj.keys(), line
    msgs.append(obj["msg"])
decoded = "\n".join(msgs).encode("utf-8", "surrogateescape")

def forms(secret: bytes):
    """The ways a secret could be written into a line: raw, hex (both cases, and a 12-octet
    prefix, for a truncated dump), base64 (with and without padding, and URL-safe)."""
    h = secret.hex()
    b = base64.b64encode(secret)
    out = {"raw": secret, "hex": h.encode(), "HEX": h.upper().encode(),
           "hex-prefix": h[:24].encode(), "base64": b, "base64-nopad": b.rstrip(b"="),
           "base64-prefix": b[:48],  # a PEM's first line, or a dump cut short
           "base64url": base64.urlsafe_b64encode(secret).rstrip(b"=")}
    return {k: v for k, v in out.items() if len(v) >= 8}

realm, user = "example.com", "alice"
secrets = {"password": password.encode(), "wrong password": wrong.encode(),
           "key passphrase": open(f"{certs}/passphrase.txt", "rb").read().splitlines()[0],
           "digest.key": open(f"{work}/data/digest.key", "rb").read()}
for name in ("md5", "sha256", "sha512_256"):  # RFC 7616 §3.4.2: H(username:realm:password)
    ha1 = hashlib.new(name, f"{user}:{realm}:{password}".encode()).hexdigest()
    secrets["HA1 " + name] = ha1.encode()
for f in ("good-aes.p8.der", "good.p8.der"):
    secrets["PKCS#8 " + f] = open(f"{certs}/{f}", "rb").read()
secrets["TLS server key"] = open(f"{work}/tls.key.der", "rb").read()
secrets["identity signing key"] = open(f"{work}/id.key.der", "rb").read()

leaks = []
for what, secret in secrets.items():
    for form, text in forms(secret).items():
        for where, blob in (("log", log), ("log (decoded)", decoded), ("CLI output", cli)):
            if text in blob or text.lower() in blob.lower():
                leaks.append(f"{what} ({form}) in the {where}")
if leaks:
    print("FAIL secrets found:\n  " + "\n  ".join(leaks))
    sys.exit(1)
print(f"ok   no secret in {len(lines)} log lines and the CLI output "
      f"({len(secrets)} secrets, {sum(len(forms(s)) for s in secrets.values())} forms each place)")
PY
