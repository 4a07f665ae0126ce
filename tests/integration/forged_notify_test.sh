#!/usr/bin/env bash
# TRUST-2 through our client: `sipcred fetch` over UDP subscribes to a fake notifier
# (forged_notify/notifier.py, python, written from RFC 3261/6665) that answers 200 and sends one
# certificate NOTIFY in the dialog, built and signed as each case needs. The domain certificates
# behind Identity-Info are served over HTTPS by `sipcred serve` (only its HTTPS endpoint is
# used). Every key and certificate is made here by the openssl CLI; the signatures come from
# the independent openssl signer (identity/openssl_sign_4474.sh) or `sipcred identity sign`.
# Cases (client exit status and printed reason):
#   signed with a key that is not the domain's (Identity-Info names the real certificate)
#                                                    → 1, discarded: Identity: 438 …
#   From another user of the domain, correctly signed → 1, discarded: the NOTIFY's From is …
#   no Identity                                      → 1, discarded: Identity: 428 …
#   signed by another domain (its own certificate)   → 1, discarded: Identity: 437 …
#   body changed after signing                       → 1, discarded: Identity: 438 …
#   correctly signed, the certificate expired        → 1, discarded: … expired
#   correctly signed (openssl signer, sipcred signer) → 0, the certificate written, its SHA-256
#                                                       as openssl computes it
#   unsigned, the certificate issued by a trusted CA for the AOR (TRUST-1) → 0; CA not trusted → 1
#   --cache-dir: served from the cache within --cache-seconds, for that AOR only (TRUST-3)
#   forged_notify_test.sh PATH_TO_SIPCRED
# REQ TRUST-1 TRUST-2 TRUST-3
# REQ-PART ID-2
set -euo pipefail
sipcred=$1
here=$(cd "$(dirname "$0")" && pwd)
ident="$here/identity"
work=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
server_pid=
notifier_pid=

cleanup() {
  for pid in $server_pid $notifier_pid; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

sip_port=$(free_port)
https_port=$(free_port)

# A test CA; under it the HTTPS server's certificate (example.com, IP:127.0.0.1: the URLs name
# the address) and the RSA-2048 identity certificates of example.com and example.org (RFC 4474
# §6: DNS SubjectAltName of the domain). A key nobody certified. Alice's own certificate (the
# NOTIFY's body; RFC 8398-style SAN URI of the AOR), self-signed as a user's is.
cd "$work"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -days 2 -subj "/CN=forged-notify test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign" 2> /dev/null
issue() {  # name, key algorithm options, subjectAltName
  local name=$1 san=$3
  # shellcheck disable=SC2086
  openssl req -newkey $2 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" 2> /dev/null
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\n' "$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" \
    -days 2 -extfile "$name.ext" 2> /dev/null
}
issue https "ec -pkeyopt ec_paramgen_curve:P-256" "DNS:example.com,IP:127.0.0.1"
issue id-com rsa:2048 "DNS:example.com"
issue id-org rsa:2048 "DNS:example.org"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out wrong.key 2> /dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout alice.key -out alice.pem -days 2 \
  -subj "/CN=alice" -addext "subjectAltName=URI:sip:alice@example.com" \
  -addext "basicConstraints=critical,CA:FALSE" -addext "keyUsage=critical,digitalSignature" \
  2> /dev/null
openssl x509 -in alice.pem -outform DER -out alice.der
cd - > /dev/null
want_fp=$(openssl x509 -in "$work/alice.pem" -noout -fingerprint -sha256 |
  sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')

url_com=https://127.0.0.1:$https_port/identity/example.com.cer
url_org=https://127.0.0.1:$https_port/identity/example.org.cer
cat > "$work/sipcred.toml" <<TOML
data_dir = "$work/data"
[sip]
listen = ["127.0.0.1:$sip_port"]
[service]
domains = ["example.com", "example.org"]
[https]
listen = ["127.0.0.1:$https_port"]
[[tls.identity]]
domain = "example.com"
certificate = "$work/https.pem"
key = "$work/https.key"
[identity]
scheme = "rfc4474"
[[identity.domain]]
domain = "example.com"
key = "$work/id-com.key"
certificate = "$work/id-com.pem"
url = "$url_com"
[[identity.domain]]
domain = "example.org"
key = "$work/id-org.key"
certificate = "$work/id-org.pem"
url = "$url_org"
TOML
serve_and_wait "$sipcred" "$work/server.log" --config "$work/sipcred.toml" --log-level info


# The served certificates are the identity certificates, byte for byte (curl, not our client).
served() {
  curl -sS --max-time 5 --cacert "$work/ca.pem" "$url_com" -o "$work/got-com.der"
  openssl x509 -in "$work/id-com.pem" -outform DER | cmp - "$work/got-com.der"
  curl -sS --max-time 5 --cacert "$work/ca.pem" "$url_org" -o "$work/got-org.der"
  openssl x509 -in "$work/id-org.pem" -outform DER | cmp - "$work/got-org.der"
}
check https-serves-identity-certificates served

# The independent signer reads a file; the notifier hands the NOTIFY on stdin.
openssl_signer() {  # key, url
  echo "cat > $work/unsigned.sip && bash $ident/openssl_sign_4474.sh $1 $work/unsigned.sip $2"
}
sipcred_signer() {  # key, cert, url
  echo "$sipcred identity sign --key $1 --cert $2 --info $3"
}

# One exchange: the notifier signs with SIGN; our client fetches Alice's certificate from it.
# Prints the client's output; succeeds when its exit status is WANT and its output holds TEXT.
exchange() {  # want-exit, text, sign-command, notifier options...
  local want=$1 text=$2 sign=$3; shift 3
  rm -f "$work/notifier.port" "$work/fetched.der"
  python3 "$here/forged_notify/notifier.py" "$work/notifier.port" "$work/alice.der" "$sign" "$@" &
  notifier_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/notifier.port" ] && break; sleep 0.05; done
  local nport rc=0
  nport=$(cat "$work/notifier.port")
  "$sipcred" fetch --aor sip:alice@example.com --server "127.0.0.1:$nport" --transport udp \
    --ca "$work/ca.pem" --timeout 10 --out "$work/fetched.der" > "$work/fetch.txt" 2>&1 || rc=$?
  wait "$notifier_pid" || true
  notifier_pid=
  cat "$work/fetch.txt"
  echo "notifier's NOTIFY:"; sed -n '1,/^\r\?$/p' "$work/notifier.port.notify" 2> /dev/null || true
  echo "its answer: $(cat "$work/notifier.port.answer" 2> /dev/null)"
  echo "exit $rc (want $want)"
  [ "$rc" -eq "$want" ] && grep -qF -- "$text" "$work/fetch.txt" || return 1
  if [ "$want" -ne 0 ]; then
    [ ! -e "$work/fetched.der" ] || { echo "a discarded certificate was written"; return 1; }
  fi
}

check wrong-key-438 exchange 1 "discarded: Identity: 438" \
  "$(openssl_signer "$work/wrong.key" "$url_com")"
check other-user-from exchange 1 \
  "discarded: the NOTIFY's From is <sip:bob@example.com>;tag=" \
  "$(sipcred_signer "$work/id-com.key" "$work/id-com.pem" "$url_com")" --from sip:bob@example.com
check no-identity-428 exchange 1 "discarded: Identity: 428" cat
check other-domain-437 exchange 1 "discarded: Identity: 437" \
  "$(openssl_signer "$work/id-org.key" "$url_org")"
# One body bit flipped after the signature (the last byte of the DER signature value).
tamper() {  # sign command
  echo "$1 | python3 -c 'import sys; b = bytearray(sys.stdin.buffer.read()); b[-1] ^= 1; sys.stdout.buffer.write(b)'"
}
check tampered-body-438 exchange 1 "discarded: Identity: 438" \
  "$(tamper "$(openssl_signer "$work/id-com.key" "$url_com")")"

# TRUST-2's last part: a correctly signed NOTIFY whose certificate is out of its validity
# (tests/data/certs/expired.der: Alice's, valid 2010-2011) is discarded as well.
expired() {
  local body=$work/alice.der
  cp "$here/../data/certs/expired.der" "$work/alice.der"
  local rc=0
  exchange 1 "discarded: " "$(sipcred_signer "$work/id-com.key" "$work/id-com.pem" "$url_com")" ||
    rc=1
  openssl x509 -in "$work/alice.pem" -outform DER -out "$body"
  grep -q "^discarded: .*expired" "$work/fetch.txt" && [ $rc -eq 0 ]
}
check expired-certificate expired

accepted() {  # sign command
  exchange 0 "SHA-256 $want_fp" "$1" || return 1
  cmp "$work/fetched.der" "$work/alice.der"
  # The NOTIFY that was accepted verifies in the independent verifier too.
  local v
  v=$(python3 "$ident/verify_identity.py" "$work/notifier.port.notify" --ca "$work/ca.pem")
  echo "verify_identity.py: $v"
  [ "$v" = "valid rfc4474 sip:alice@example.com" ]
}
check openssl-signed-accepted accepted "$(openssl_signer "$work/id-com.key" "$url_com")"
check sipcred-signed-accepted accepted \
  "$(sipcred_signer "$work/id-com.key" "$work/id-com.pem" "$url_com")"
# The same correctly signed NOTIFY with anchors that do not include the domain's CA: 437.
untrusted_anchor() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/o.key" \
    -out "$work/otherca.pem" -days 2 -subj "/CN=other CA" 2> /dev/null
  rm -f "$work/notifier.port"
  python3 "$here/forged_notify/notifier.py" "$work/notifier.port" "$work/alice.der" \
    "$(openssl_signer "$work/id-com.key" "$url_com")" &
  notifier_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/notifier.port" ] && break; sleep 0.05; done
  local rc=0
  "$sipcred" fetch --aor sip:alice@example.com --server "127.0.0.1:$(cat "$work/notifier.port")" \
    --transport udp --ca "$work/ca.pem" --identity-ca "$work/otherca.pem" --timeout 10 \
    > "$work/fetch.txt" 2>&1 || rc=$?
  wait "$notifier_pid" || true
  notifier_pid=
  cat "$work/fetch.txt"
  [ "$rc" -eq 1 ] && grep -q "discarded: Identity: 437" "$work/fetch.txt"
}
check identity-ca-not-anchoring-437 untrusted_anchor

# TRUST-1: a certificate a trusted CA issued for the AOR asked for may be used whatever carried it
# (here an unsigned NOTIFY); with anchors that do not include that CA it is discarded (428).
ca_issued() {  # identity-ca option ("" for the default, --ca), want-exit, text
  cp "$work/alice.der" "$work/alice-self.der"
  openssl x509 -in "$work/alice-ca.pem" -outform DER -out "$work/alice.der"
  rm -f "$work/notifier.port"
  python3 "$here/forged_notify/notifier.py" "$work/notifier.port" "$work/alice.der" cat &
  notifier_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/notifier.port" ] && break; sleep 0.05; done
  local rc=0
  # shellcheck disable=SC2086
  "$sipcred" fetch --aor sip:alice@example.com --server "127.0.0.1:$(cat "$work/notifier.port")" \
    --transport udp --ca "$work/ca.pem" $1 --timeout 10 > "$work/fetch.txt" 2>&1 || rc=$?
  wait "$notifier_pid" || true
  notifier_pid=
  cp "$work/alice-self.der" "$work/alice.der"
  cat "$work/fetch.txt"
  [ "$rc" -eq "$2" ] && grep -qF -- "$3" "$work/fetch.txt"
}
(cd "$work" && issue alice-ca rsa:2048 "URI:sip:alice@example.com")
check ca-issued-certificate-trusted ca_issued "" 0 "issued by a trusted CA"
check ca-issued-certificate-untrusted-ca ca_issued "--identity-ca $work/otherca.pem" 1 \
  "discarded: Identity: 428"

# TRUST-3: a verified certificate is kept under the AOR it was asked for and verified for, and
# served from there within --cache-seconds without asking; another AOR is never answered from it.
cached() {
  local dead rc=0
  dead=$(free_port)
  rm -rf "$work/cache"
  exchange 0 "SHA-256 $want_fp" "$(sipcred_signer "$work/id-com.key" "$work/id-com.pem" "$url_com")" \
    > /dev/null || return 1
  "$sipcred" fetch --aor sip:alice@example.com --server "127.0.0.1:$dead" --transport udp \
    --ca "$work/ca.pem" --timeout 2 --cache-dir "$work/cache" --cache-seconds 60 \
    > "$work/cached.txt" 2>&1 || rc=$?
  cat "$work/cached.txt"
  [ "$rc" -eq 2 ] || return 1  # nothing cached yet: the dead server is asked, and fails
  # The genuine exchange again, now with the cache.
  rm -f "$work/notifier.port"
  python3 "$here/forged_notify/notifier.py" "$work/notifier.port" "$work/alice.der" \
    "$(sipcred_signer "$work/id-com.key" "$work/id-com.pem" "$url_com")" &
  notifier_pid=$!
  for _ in $(seq 1 100); do [ -s "$work/notifier.port" ] && break; sleep 0.05; done
  "$sipcred" fetch --aor sip:alice@example.com --server "127.0.0.1:$(cat "$work/notifier.port")" \
    --transport udp --ca "$work/ca.pem" --timeout 10 --cache-dir "$work/cache" \
    --cache-seconds 60 || return 1
  wait "$notifier_pid" || true
  notifier_pid=
  [ "$(ls "$work/cache" | wc -l)" -eq 1 ] || return 1
  "$sipcred" fetch --aor sip:alice@example.com --server "127.0.0.1:$dead" --transport udp \
    --ca "$work/ca.pem" --timeout 2 --cache-dir "$work/cache" --cache-seconds 60 \
    > "$work/cached.txt" 2>&1 || return 1
  cat "$work/cached.txt"
  grep -q "(cached)" "$work/cached.txt" && grep -q "SHA-256 $want_fp" "$work/cached.txt" || return 1
  # Another AOR asks the (dead) server, never the cache.
  rc=0
  "$sipcred" fetch --aor sip:bob@example.com --server "127.0.0.1:$dead" --transport udp \
    --ca "$work/ca.pem" --timeout 2 --cache-dir "$work/cache" --cache-seconds 60 \
    > "$work/cached.txt" 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || return 1
  # Past --cache-seconds the server is asked again.
  touch -d "2 minutes ago" "$work"/cache/*.der
  rc=0
  "$sipcred" fetch --aor sip:alice@example.com --server "127.0.0.1:$dead" --transport udp \
    --ca "$work/ca.pem" --timeout 2 --cache-dir "$work/cache" --cache-seconds 60 \
    > "$work/cached.txt" 2>&1 || rc=$?
  [ "$rc" -eq 2 ]
}
check cache-by-asserted-aor cached

kill -0 "$server_pid" || { echo "server died"; failures=$((failures + 1)); }
echo "$passed passed, $failures failed"
[ $failures -eq 0 ]
