#!/usr/bin/env bash
# The credential service end to end through `sipcred serve` on loopback, judged by clients we did
# not write: SIPp subscribes to the certificate package over UDP and TCP; sipsak subscribes to the
# credential package over TLS 1.2 with digest (and is refused without TLS or with a wrong
# password); a Python client (ssl + hashlib) PUBLISHes an openssl-made credential over TLS and
# fetches it back through a credential subscription; the sqlite3 CLI reads what was stored.
# Every certificate NOTIFY is signed (RFC 4474, rsa-sha1) by the domain of its From, with
# openssl-made identity keys, the certificates served by the server's HTTPS endpoint: each NOTIFY
# SIPp receives carries Identity and Identity-Info and verifies in `sipcred identity verify` and
# in an independent verifier (identity/verify_identity.py); our client's `fetch` accepts a
# certificate only with a valid Identity (TRUST-2).
#   credential_service_test.sh PATH_TO_SIPCRED
# REQ CERT-1, CRED-1, CRED-2, TLS-1, TLS-3, PUB-5
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

# The domain's TLS certificate, made by openssl (SAN DNS:example.com, not a CA; IP:127.0.0.1 too,
# so that the HTTPS URLs of Identity-Info below, which name the address, verify).
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.pem" -days 2 \
  -subj "/CN=example.com" -addext "subjectAltName=DNS:example.com,IP:127.0.0.1" \
  -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
# A second domain on the same TLS port, chosen by SNI (TLS-3).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/org.key" \
  -out "$work/org.pem" -days 2 -subj "/CN=example.org" -addext "subjectAltName=DNS:example.org" \
  -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
cat "$work/tls.pem" "$work/org.pem" > "$work/trust.pem"
# Each domain's identity (the RFC 4474 authentication service's key and certificate, §6: RSA,
# SAN DNS of the domain), made by openssl; clients trust them as identity anchors.
for domain in example.com example.org; do
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/id-$domain.key" \
    -out "$work/id-$domain.pem" -days 2 -subj "/CN=$domain" \
    -addext "subjectAltName=DNS:$domain" -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
done
cat "$work/id-example.com.pem" "$work/id-example.org.pem" > "$work/identity.pem"
cat "$work/trust.pem" "$work/identity.pem" > "$work/all.pem"
https_port=$(( port + 6 ))
url_com=https://127.0.0.1:$https_port/identity/example.com.cer
url_org=https://127.0.0.1:$https_port/identity/example.org.cer
cat > "$work/sipcred.toml" <<TOML
data_dir = "$work/data"
[sip]
listen = ["127.0.0.1:$port"]
tls_listen = ["127.0.0.1:$tls_port"]
[https]
listen = ["127.0.0.1:$https_port"]
[service]
# example.net has no identity: its NOTIFYs go out unsigned, and our client discards them.
domains = ["example.com", "example.org", "example.net"]
min_notify_interval = 0       # so that the watcher below sees each change at once
digest_algorithms = ["MD5"]   # sipsak answers only the first challenge, and only MD5
[tls]
versions = ["1.2"]            # sipsak never reads a reply over TLS 1.3 (shared/reference/peers.md)
[[tls.identity]]
domain = "example.com"
certificate = "$work/tls.pem"
key = "$work/tls.key"
[[tls.identity]]
domain = "example.org"
certificate = "$work/org.pem"
key = "$work/org.key"
[identity]
scheme = "rfc4474"
alg = "rsa-sha1"
[[identity.domain]]
domain = "example.com"
key = "$work/id-example.com.key"
certificate = "$work/id-example.com.pem"
url = "$url_com"
[[identity.domain]]
domain = "example.org"
key = "$work/id-example.org.key"
certificate = "$work/id-example.org.pem"
url = "$url_org"
TOML
echo wonderland > "$work/pw"
"$sipcred" user add --data-dir "$work/data" --aor sip:alice@example.com --password-file "$work/pw"

serve_and_wait "$sipcred" "$work/server.log" --config "$work/sipcred.toml" --log-level info

# Each check runs in a subshell of its own with errexit in force (a function called as an `if`
# condition would run with errexit off, and only its last step would count): any step that
# fails fails the check. State for later checks goes through files in $work. (Replaces
# test_lib.sh's check.)
check() {  # name, command...
  local name=$1; shift
  local rc=0
  ( "$@" ) > "$work/$name.out" 2>&1 &
  wait $! || rc=$?
  if [ $rc -eq 0 ]; then
    echo "ok   $name"; passed=$((passed + 1))
  else
    echo "FAIL $name"; cat "$work/$name.out"; failures=$((failures + 1))
  fi
}

for transport in u1 t1; do
  check "sipp-certificate-$transport" sipp -sf "$here/sipp/certificate_subscribe.xml" \
    -t $transport -m 5 -r 10 -i 127.0.0.1 -p $(( port + 2 )) -timeout 30s -timeout_error \
    -max_recv_loops 1000 -trace_err -error_file "$work/sipp-$transport.err" -trace_msg -message_file "$work/sipp-$transport.msg" \
    127.0.0.1:$port < /dev/null
  [ -s "$work/sipp-$transport.err" ] && cat "$work/sipp-$transport.err"
done

# REQ-PART ID-1: every NOTIFY SIPp received is signed by example.com (RFC 4474 §6: Identity and
# Identity-Info naming the domain's certificate, alg rsa-sha1). The NOTIFYs are cut out of SIPp's
# -trace_msg file ("... message received [N] bytes :" and the N bytes); one of each transport
# is verified by `sipcred identity verify` and by the independent verifier (python + openssl,
# identity/verify_identity.py), both fetching the certificate over HTTPS from the server.
sipp_notifies() {
  local transport n ours theirs
  for transport in u1 t1; do
    python3 - "$work/sipp-$transport.msg" "$work/sipp-$transport-notify" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
count = 0
for m in re.finditer(rb"message received \[(\d+)\] bytes :\r?\n\r?\n", data):
    msg = data[m.end():m.end() + int(m.group(1))]
    if not msg.startswith(b"NOTIFY "):
        continue
    count += 1
    open("%s.%d" % (sys.argv[2], count), "wb").write(msg)
    head = msg.split(b"\r\n\r\n")[0].decode()
    names = [line.split(":")[0].strip().lower() for line in head.split("\r\n")[1:]]
    assert "identity" in names and "identity-info" in names, head
    info = [l for l in head.split("\r\n") if l.lower().startswith("identity-info:")][0]
    assert "/identity/example.com.cer>;alg=rsa-sha1" in info, info
print("%s: %d NOTIFYs, each with Identity and Identity-Info" % (sys.argv[1], count))
assert count == 10, count  # 5 calls, an initial and a final NOTIFY each
PY
    n="$work/sipp-$transport-notify.1"
    ours=$("$sipcred" identity verify --in "$n" --ca "$work/all.pem") || true
    theirs=$(python3 "$here/identity/verify_identity.py" "$n" --ca "$work/all.pem") || true
    echo "$transport sipcred identity verify: $ours"
    echo "$transport verify_identity.py:      $theirs"
    [ "$ours" = "valid rfc4474 sip:carol@example.com" ]
    [ "$theirs" = "valid rfc4474 sip:carol@example.com" ]
  done
  # Changed after signing (the To URI, RFC 4474 §9 covers its addr-spec), the NOTIFY no longer
  # verifies in either: 438.
  python3 -c '
import sys
m = open(sys.argv[1], "rb").read()
assert b"\r\nTo: <sip:sipp@" in m
open(sys.argv[2], "wb").write(m.replace(b"\r\nTo: <sip:sipp@", b"\r\nTo: <sip:mallory@", 1))
' "$work/sipp-u1-notify.2" "$work/changed.sip"
  ours=$("$sipcred" identity verify --in "$work/changed.sip" --ca "$work/all.pem") || true
  theirs=$(python3 "$here/identity/verify_identity.py" "$work/changed.sip" --ca "$work/all.pem") ||
    true
  echo "changed To: sipcred identity verify: $ours"
  echo "changed To: verify_identity.py:      $theirs"
  grep -q "^438 " <<< "$ours"
  grep -q "^438 " <<< "$theirs"
}
check sipp-notifies-signed sipp_notifies

for transport in u1 t1; do
  check "sipp-publish-refused-$transport" sipp -sf "$here/sipp/publish_without_tls.xml" \
    -t $transport -m 3 -r 10 -i 127.0.0.1 -p $(( port + 3 )) -timeout 30s -timeout_error \
    -max_recv_loops 1000 127.0.0.1:$port < /dev/null
done

printf 'SUBSCRIBE sip:alice@example.com SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKs1\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=s1\r\nTo: <sip:alice@example.com>\r\nCall-ID: sipsak-cred\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sips:alice@127.0.0.1:9>\r\nEvent: credential\r\nContent-Length: 0\r\n\r\n' > "$work/sub.txt"
sipsak_status() {  # expected-status-line-prefix, sipsak args...
  local want=$1; shift
  local out
  out=$(timeout 20 sipsak -vv -f "$work/sub.txt" "$@" 2>&1) || true  # non-zero unless a 2xx
  echo "$out"
  grep -q "^SIP/2.0 $want" <<< "$out"
}
tls=(-s "sip:alice@127.0.0.1:$tls_port" -E tls --tls-ignore-cert-failure)
check sipsak-tls-credential sipsak_status "200 OK" "${tls[@]}" -u alice -a wonderland
check sipsak-tls-wrong-password sipsak_status "401" "${tls[@]}" -u alice -a not-the-password
check sipsak-udp-refused sipsak_status "403 Forbidden (credentials only over TLS)" \
  -s "sip:alice@127.0.0.1:$port"

publish() {
  etag=$(python3 "$here/tls_client.py" 127.0.0.1 $tls_port publish sip:alice@example.com alice \
    wonderland "$certs/good.der" "$certs/good-aes.p8.der")
  [ -n "$etag" ] || return 1
  stored=$(sqlite3 "$work/data/sipcred.db" \
    "SELECT etag FROM credentials WHERE aor='sip:alice@example.com' AND revoked IS NULL AND replaced IS NULL;")
  echo "etag $etag stored $stored"
  [ "$stored" = "$etag" ]
  echo "$etag" > "$work/etag"
}
check python-tls-publish publish
etag=$(cat "$work/etag" 2>/dev/null || true)

fetch() {
  python3 "$here/tls_client.py" 127.0.0.1 $tls_port subscribe sip:alice@example.com alice \
    wonderland "$work/notify.body" > "$work/notify.hdr"
  cat "$work/notify.hdr"
  grep -q "^credential;etag=$etag" "$work/notify.hdr"
  grep -q "^multipart/mixed" "$work/notify.hdr"
  # The certificate and the encrypted key come back byte for byte (CRED-4).
  python3 - "$work/notify.body" "$certs/good.der" "$certs/good-aes.p8.der" <<'PY'
import sys
body = open(sys.argv[1], "rb").read()
for f in sys.argv[2:]:
    assert open(f, "rb").read() in body, f
PY
}
check python-tls-credential-fetch fetch

# REQ-PART ID-1, CERT-5: SIPp fetches Alice's certificate over UDP and TCP and checks the NOTIFY
# (sipp/certificate_fetch.xml: terminated, application/pkix-cert, signal, Identity-Info). Over
# UDP the NOTIFY, over 1300 bytes with its Identity, is tried over TCP first (RFC 3261 §18.1.1)
# and sent over UDP when SIPp refuses the connection.
sipp_fetch() {
  local transport
  for transport in u1 t1; do
    sipp -sf "$here/sipp/certificate_fetch.xml" -t $transport -m 1 -i 127.0.0.1 \
      -p $(( port + 7 )) -timeout 30s -timeout_error -max_recv_loops 1000 \
      -trace_err -error_file "$work/sipp-fetch-$transport.err" 127.0.0.1:$port < /dev/null
  done
}
check sipp-certificate-fetch sipp_fetch

# SIPp's message trace cuts binary bodies at the first NUL, so the same fetch once more from a
# few lines of Python (a UDP subscriber written from RFC 6665 §4.1, not our client) that keeps
# the NOTIFY byte for byte: it carries good.der, and its Identity, which covers that body
# (RFC 4474 §9), verifies in `sipcred identity verify` and in identity/verify_identity.py.
signed_certificate() {
  python3 - 127.0.0.1 $port "$work/alice.notify" <<'PY'
import socket, sys
host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(10)
me = "127.0.0.1:%d" % s.getsockname()[1]
s.sendto(("SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"
          "Via: SIP/2.0/UDP %s;branch=z9hG4bKpy1;rport\r\nMax-Forwards: 70\r\n"
          "From: <sip:watcher@127.0.0.1>;tag=py1\r\nTo: <sip:alice@example.com>\r\n"
          "Call-ID: py-fetch-1\r\nCSeq: 1 SUBSCRIBE\r\nContact: <sip:watcher@%s>\r\n"
          "Event: certificate\r\nAccept: application/pkix-cert\r\nExpires: 0\r\n"
          "Content-Length: 0\r\n\r\n" % (me, me)).encode(), (host, port))
while True:
    data, src = s.recvfrom(65535)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    print(lines[0])
    if not lines[0].startswith("NOTIFY "):
        continue
    open(out, "wb").write(data)
    keep = [l for l in lines[1:] if l.split(":")[0].lower() in ("via", "from", "to", "call-id", "cseq")]
    s.sendto(("SIP/2.0 200 OK\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n").encode(), src)
    print("NOTIFY of %d bytes" % len(data))
    break
PY
  python3 - "$work/alice.notify" "$certs/good.der" <<'PY'
import sys
n = open(sys.argv[1], "rb").read()
head, _, body = n.partition(b"\r\n\r\n")
assert b"\r\nIdentity: " in head and b"\r\nIdentity-Info: " in head, head
assert body == open(sys.argv[2], "rb").read(), "the body is not good.der"
PY
  local ours theirs
  ours=$("$sipcred" identity verify --in "$work/alice.notify" --ca "$work/all.pem") || true
  theirs=$(python3 "$here/identity/verify_identity.py" "$work/alice.notify" --ca "$work/all.pem") ||
    true
  echo "sipcred identity verify: $ours"
  echo "verify_identity.py:      $theirs"
  [ "$ours" = "valid rfc4474 sip:alice@example.com" ]
  [ "$theirs" = "valid rfc4474 sip:alice@example.com" ]
}
check signed-certificate-notify signed_certificate

# `sipcred publish|fetch|fetch-credential` (our client over TLS, checking the server's name
# against the openssl-made certificate) through the whole life of a credential.
# REQ PUB-3, PUB-4, PUB-6, CERT-10, CRED-7, TLS-2
echo bobpass > "$work/bobpw"
"$sipcred" user add --data-dir "$work/data" --aor sip:bob@example.com --password-file "$work/bobpw"   > /dev/null
client=(--server 127.0.0.1:$tls_port --ca "$work/tls.pem")
# The identity anchors for `fetch` (TRUST-2); the Identity-Info URLs are fetched over HTTPS with
# --ca (tls.pem names IP:127.0.0.1).
idca=(--identity-ca "$work/identity.pem")
expect_exit() {  # code, command... ; also prints the output
  local want=$1; shift
  local rc=0
  "$@" || rc=$?
  echo "exit $rc (want $want)"
  [ "$rc" -eq "$want" ]
}
lifecycle() {
  # A PUB-3 failure (certificate of another user) stores nothing.
  expect_exit 1 "$sipcred" publish --aor sip:alice@example.com "${client[@]}"     --password-file "$work/pw" --cert "$certs/wrong-user.der"
  # Bob may not publish for Alice.
  expect_exit 1 "$sipcred" publish --aor sip:alice@example.com "${client[@]}" --user bob     --password-file "$work/bobpw" --cert "$certs/good-ec.der"
  # Republish over the earlier state with its etag; a stale etag gets 412.
  local out etag2
  out=$("$sipcred" publish --aor sip:alice@example.com "${client[@]}" --password-file "$work/pw"     --cert "$certs/good-ec.der" --if-match "$etag")
  echo "$out"
  etag2=$(sed -n 's/^SIP-ETag: //p' <<< "$out")
  [ -n "$etag2" ] && [ "$etag2" != "$etag" ]
  expect_exit 1 "$sipcred" publish --aor sip:alice@example.com "${client[@]}"     --password-file "$work/pw" --cert "$certs/good.der" --if-match "$etag"
  # A second device fetches the credential; a certificate fetch shows what openssl computes.
  "$sipcred" fetch-credential --aor sip:alice@example.com "${client[@]}"     --password-file "$work/pw" --out "$work/device2"
  cmp "$work/device2/cert.der" "$certs/good-ec.der"
  out=$("$sipcred" fetch --aor sip:alice@example.com "${client[@]}" "${idca[@]}" \
    --out "$work/fetched.der")
  echo "$out"
  want=$(openssl x509 -inform DER -in "$certs/good-ec.der" -noout -fingerprint -sha256 |
    sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
  grep -q "SHA-256 $want" <<< "$out"
  cmp "$work/fetched.der" "$certs/good-ec.der"
  # REQ-PART TRUST-2: the same NOTIFY counts only when its Identity verifies: with the TLS
  # certificate alone as identity anchor (the default, --ca) the signer's certificate does not
  # chain, and the NOTIFY is discarded (RFC 4474 §14.4: 437).
  out=$(expect_exit 1 "$sipcred" fetch --aor sip:alice@example.com "${client[@]}" \
    --out "$work/not-fetched.der")
  echo "$out"
  grep -q "^discarded: Identity: 437 " <<< "$out"
  [ ! -e "$work/not-fetched.der" ]
  # Revocation: the certificate is gone for fetchers (a signed empty NOTIFY, CERT-3).
  "$sipcred" publish --aor sip:alice@example.com "${client[@]}" --password-file "$work/pw" --revoke
  out=$(expect_exit 1 "$sipcred" fetch --aor sip:alice@example.com "${client[@]}" "${idca[@]}")
  echo "$out"
  grep -q "^no certificate for sip:alice@example.com" <<< "$out"
  # TLS-2: a server that cannot show the name we meant to reach is left before any request.
  expect_exit 2 "$sipcred" fetch --aor sip:alice@example.com "${client[@]}"     --server-name example.org
  # CRED-2 through our client too: TCP is refused.
  expect_exit 1 "$sipcred" fetch-credential --aor sip:alice@example.com     --server 127.0.0.1:$port --transport tcp --password-file "$work/pw" --out "$work/x"
}
check client-lifecycle lifecycle

# REQ TLS-3: two domains on one port; openssl s_client (not our code) sees the certificate of the
# name it asks for, and our client reaches example.org's service with the name check passing.
sni() {
  for name in example.com example.org; do
    san=$(openssl s_client -connect 127.0.0.1:$tls_port -servername $name < /dev/null 2>/dev/null |
      openssl x509 -noout -ext subjectAltName)
    echo "$name: $san"
    grep -q "DNS:$name" <<< "$san"
  done
  # Reached, no certificate published: 1 (a name failure would be 2); the empty NOTIFY is
  # signed by example.org.
  local out
  out=$(expect_exit 1 "$sipcred" fetch --aor sip:carol@example.org --server 127.0.0.1:$tls_port \
    --ca "$work/trust.pem" "${idca[@]}")
  echo "$out"
  grep -q "^no certificate for sip:carol@example.org" <<< "$out"
}
check tls-sni-two-domains sni

# REQ-PART TRUST-2: example.net is served without an identity, so its NOTIFYs carry no Identity
# and our client discards them (RFC 4474 §14.2: 428), here over TCP.
unsigned() {
  local out
  out=$(expect_exit 1 "$sipcred" fetch --aor sip:alice@example.net --server 127.0.0.1:$port \
    --transport tcp --ca "$work/tls.pem" "${idca[@]}")
  echo "$out"
  grep -q "^discarded: Identity: 428 " <<< "$out"
}
check unsigned-notify-discarded unsigned

# A credential subscriber that stays subscribed (the Python client) hears a re-publish and then
# the revocation end its subscription (CRED-6, CRED-7), through the real server.
# REQ CRED-6, CRED-7
watch() {
  "$sipcred" publish --aor sip:alice@example.com "${client[@]}" --password-file "$work/pw" \
    --cert "$certs/good.der" --key "$certs/good-aes.p8.der"
  : > "$work/watch.log"
  python3 "$here/tls_client.py" 127.0.0.1 $tls_port watch sip:alice@example.com alice wonderland \
    "$work/watch.log" &
  local watcher=$!
  for _ in $(seq 1 50); do [ -s "$work/watch.log" ] && break; sleep 0.1; done
  "$sipcred" publish --aor sip:alice@example.com "${client[@]}" --password-file "$work/pw" \
    --cert "$certs/good-ec.der"
  for _ in $(seq 1 50); do [ "$(wc -l < "$work/watch.log")" -ge 2 ] && break; sleep 0.1; done
  "$sipcred" publish --aor sip:alice@example.com "${client[@]}" --password-file "$work/pw" --revoke
  wait $watcher
  cat "$work/watch.log"
  [ "$(wc -l < "$work/watch.log")" -eq 3 ]
  # The second NOTIFY carries the new credential (its multipart holds good-ec.der); the last one
  # ends the subscription with reason=deactivated and no body.
  sed -n 1p "$work/watch.log" | grep -q "^active"
  sed -n 2p "$work/watch.log" | grep -q "^active"
  [ "$(sed -n 1p "$work/watch.log" | cut -f2)" != "$(sed -n 2p "$work/watch.log" | cut -f2)" ]
  sed -n 3p "$work/watch.log" | grep -q "^terminated;reason=deactivated"$'\t'".*"$'\t'"0$"
}
check credential-watcher watch

# RFC 3263 location instead of --server: dnsmasq (not our code) serves _sips._tcp.example.com →
# sip.example.com:TLS port → 127.0.0.1; the TLS name checked is still the AOR's domain (TLS-2).
dns_port=$(( port + 5 ))
dnsmasq --no-daemon --port=$dns_port --listen-address=127.0.0.1 --bind-interfaces --no-resolv \
  --no-hosts --conf-file=/dev/null --srv-host=_sips._tcp.example.com,sip.example.com,$tls_port,0,0 \
  --host-record=sip.example.com,127.0.0.1 > "$work/dnsmasq.log" 2>&1 &
dnsmasq_pid=$!
located() {
  "$sipcred" publish --aor sip:alice@example.com --dns 127.0.0.1:$dns_port --ca "$work/tls.pem" \
    --password-file "$work/pw" --cert "$certs/good.der" --key "$certs/good-aes.p8.der"
  "$sipcred" fetch --aor sip:alice@example.com --dns 127.0.0.1:$dns_port --ca "$work/tls.pem" \
    "${idca[@]}"
}
sleep 0.3
check dns-located-client located
kill "$dnsmasq_pid" 2>/dev/null; wait "$dnsmasq_pid" 2>/dev/null || true

kill -0 "$server_pid" || { echo "server died"; failures=$((failures + 1)); }
echo "$passed passed, $failures failed"
[ $failures -eq 0 ]
