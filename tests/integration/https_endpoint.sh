#!/usr/bin/env bash
# The HTTPS endpoint and the HTTPS client, each judged by software we did not write:
#  - `sipcred serve` with [https] listen and two TLS domains, asked by curl (with the test CA) and
#    openssl s_client: /health, 404, 405 + Allow, HEAD, a GET with a body, an over-long header,
#    keep-alive, the certificate chosen by SNI, 421 for a Host that is not the SNI name, the
#    domain certificate at its Identity-Info URL;
#  - `sipcred fetch-url` against nginx serving a DER certificate over HTTPS: the body byte for
#    byte (cmp), and refusals: an untrusted chain, a certificate not naming the URL's host, a host
#    not allowed (no connection made: nginx logs nothing), a body over --max-bytes, a 404, and a
#    server that accepts TCP and never answers (timed out within the timeout + 1 s).
# Certificates are made here with the openssl CLI; every server binds to 127.0.0.1 and is
# stopped on exit.
#   https_endpoint.sh PATH_TO_SIPCRED
# REQ-PART TLS-2, TLS-3, HTTP-3
set -euo pipefail
sipcred=$1
work=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
chmod 755 "$work"  # nginx's workers may run as another user
server_pid=
nginx_pid=
mute_pid=

cleanup() {
  for pid in $server_pid $nginx_pid $mute_pid; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

port=$(free_port)      # SIP (UDP and TCP), not used here
https_port=$(free_port)
nginx_port=$(free_port)
mute_port=$(free_port)

# A test CA; `localhost` (DNS:localhost, IP:127.0.0.1) and example.org signed by it; for nginx a
# `localhost` certificate without the IP address; and a second CA nothing chains to.
cd "$work"
mkca() {  # name
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" \
    -out "$1.pem" -days 2 -subj "/CN=$1" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign" 2>/dev/null
}
mkcert() {  # name, subjectAltName
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" \
    -subj "/CN=$1" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 \
    -extfile "$1.ext" 2>/dev/null
}
mkca ca
mkca otherca
mkcert localhost "DNS:localhost,IP:127.0.0.1"
mkcert example.org "DNS:example.org"
mkcert nginx "DNS:localhost"
# example.org's signing identity (RFC 4474: RSA), whose certificate the endpoint serves.
openssl req -x509 -newkey rsa:2048 -nodes -keyout signer.key -out signer.pem -days 2 \
  -subj "/CN=example.org" -addext "subjectAltName=DNS:example.org" 2>/dev/null
openssl x509 -in signer.pem -outform DER -out signer.der
cd - > /dev/null

cat > "$work/sipcred.toml" <<TOML
data_dir = "$work/data"
[sip]
listen = ["127.0.0.1:$port"]
[https]
listen = ["127.0.0.1:$https_port"]
[[tls.identity]]
domain = "localhost"
certificate = "$work/localhost.pem"
key = "$work/localhost.key"
[[tls.identity]]
domain = "example.org"
certificate = "$work/example.org.pem"
key = "$work/example.org.key"
[[identity.domain]]
domain = "example.org"
key = "$work/signer.key"
certificate = "$work/signer.pem"
TOML
serve_and_wait "$sipcred" "$work/server.log" --config "$work/sipcred.toml" --log-level debug

base=https://localhost:$https_port
curl_ca() { curl -sS --max-time 10 --cacert "$work/ca.pem" "$@"; }
status_of() { curl_ca -o /dev/null -w '%{http_code}' "$@" || true; }

health() { [ "$(curl_ca "$base/health")" = ok ]; }
check health health
not_found() { [ "$(status_of "$base/nothing")" = 404 ]; }
check not-found not_found
# RFC 9110 §15.5.6: a 405 carries Allow.
post() {
  curl_ca -i -X POST "$base/health" > "$work/post.txt"
  head -1 "$work/post.txt" | grep -q "^HTTP/1.1 405"
  grep -qi "^Allow: GET, HEAD" "$work/post.txt"
}
check post-405 post
# RFC 9110 §9.3.2: HEAD gets GET's Content-Length and no content.
head_request() {
  curl_ca -sI "$base/health" > "$work/head.txt"
  head -1 "$work/head.txt" | grep -q "^HTTP/1.1 200"
  grep -qi "^Content-Length: 2" "$work/head.txt"
}
check head head_request
get_with_body() { [ "$(status_of -X GET --data-binary x "$base/health")" = 400 ]; }
check get-with-body-400 get_with_body
# Larger than the 8 KiB header limit: 431 (RFC 6585 §5) or the connection closed, never a 200.
long_header() {
  local big; big=$(head -c 9000 /dev/zero | tr '\0' a)
  local s; s=$(status_of -H "X-Big: $big" "$base/health")
  echo "status $s"
  [ "$s" = 431 ] || [ "$s" = 000 ]
}
check long-header-refused long_header
# HTTP/1.1 persistent connections: curl sends both requests on one connection.
keep_alive() {
  curl_ca -v "$base/health" "$base/health" 2>&1 | tee "$work/keepalive.txt" > /dev/null
  grep -qi "Re-using existing connection" "$work/keepalive.txt"
}
check keep-alive keep_alive
# REQ-PART TLS-3: the certificate of the name asked for, as openssl s_client sees it; curl
# reaches example.org's name (checked by curl) on the same port.
sni() {
  local domain san
  for domain in localhost example.org; do
    san=$(openssl s_client -connect 127.0.0.1:$https_port -servername $domain < /dev/null 2>/dev/null |
      openssl x509 -noout -ext subjectAltName)
    echo "$domain: $san"
    grep -q "DNS:$domain" <<< "$san"
  done
  [ "$(curl_ca --resolve example.org:$https_port:127.0.0.1 "https://example.org:$https_port/health")" = ok ]
}
check sni sni
# RFC 9110 §7.4: Host naming another domain than SNI is misdirected; RFC 9112 §3.2.2:
# absolute-form is accepted.
misdirected() { [ "$(status_of -H "Host: example.org:$https_port" "$base/health")" = 421 ]; }
check misdirected-421 misdirected
absolute_form() { [ "$(curl_ca --request-target "$base/health" "$base/")" = ok ]; }
check absolute-form absolute_form
# RFC 4474 §6: the signer's certificate at the Identity-Info URL serve makes for example.org
# (https://DOMAIN:PORT/identity/DOMAIN.cer, service_setup.hpp),
# DER as application/pkix-cert (RFC 2585 §4.1), for that name only.
identity_cert() {
  local url="https://example.org:$https_port/identity/example.org.cer"
  curl_ca --resolve "example.org:$https_port:127.0.0.1" -D "$work/id.headers" "$url" > "$work/id.der"
  cmp "$work/id.der" "$work/signer.der"
  grep -qi "^Content-Type: application/pkix-cert" "$work/id.headers"
  [ "$(status_of "$base/identity/example.org.cer")" = 404 ]
}
check identity-certificate identity_cert
# Our client against our server, with the name check on an IP SubjectAltName too.
own_client() {
  [ "$("$sipcred" fetch-url --ca "$work/ca.pem" "$base/health")" = ok ]
  [ "$("$sipcred" fetch-url --ca "$work/ca.pem" "https://127.0.0.1:$https_port/health")" = ok ]
}
check fetch-url-own-server own_client

# nginx serving a DER certificate (application/pkix-cert, RFC 2585) over HTTPS.
mkdir -p "$work/www" "$work/nginx-tmp"
openssl x509 -in "$work/example.org.pem" -outform DER -out "$work/www/cert.der"
chmod -R a+rX "$work/www"
cat > "$work/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
  access_log $work/nginx-access.log;
  client_body_temp_path $work/nginx-tmp;
  proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp;
  scgi_temp_path $work/nginx-tmp;
  types { application/pkix-cert der; }
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/nginx.pem;
    ssl_certificate_key $work/nginx.key;
    root $work/www;
  }
}
NGINX
nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx-error.log" &
nginx_pid=$!
for _ in $(seq 1 50); do
  curl -sk -o /dev/null "https://127.0.0.1:$nginx_port/" 2>/dev/null && break
  sleep 0.1
done
nginx_url=https://localhost:$nginx_port/cert.der
fetch_ca() { "$sipcred" fetch-url --ca "$work/ca.pem" "$@"; }
# Succeeds, or fails with stderr containing $1.
refused() {  # expected text, fetch-url arguments...
  local want=$1; shift
  if "$sipcred" fetch-url "$@" > "$work/refused.body" 2> "$work/refused.err"; then
    echo "fetched, expected a refusal"; return 1
  fi
  cat "$work/refused.err"
  grep -q -- "$want" "$work/refused.err" && [ ! -s "$work/refused.body" ]
}

identical() {
  fetch_ca "$nginx_url" > "$work/fetched.der"
  cmp "$work/fetched.der" "$work/www/cert.der"
}
check fetch-url-identical identical
check fetch-url-untrusted-chain refused "certificate verify failed" --ca "$work/otherca.pem" "$nginx_url"
# REQ-PART TLS-2: nginx's certificate names DNS:localhost only; 127.0.0.1 is not in it.
check fetch-url-name-mismatch refused "does not name 127.0.0.1" --ca "$work/ca.pem" \
  "https://127.0.0.1:$nginx_port/cert.der"
not_allowed() {
  local before; before=$(wc -l < "$work/nginx-access.log")
  refused "host localhost is not allowed" --ca "$work/ca.pem" --allow-host example.org \
    --allow-host 127.0.0.1 "$nginx_url"
  [ "$(wc -l < "$work/nginx-access.log")" = "$before" ]  # no request reached nginx
  fetch_ca --allow-host LOCALHOST "$nginx_url" | cmp - "$work/www/cert.der"
}
check fetch-url-host-not-allowed not_allowed
size=$(stat -c %s "$work/www/cert.der")
too_big() {
  refused "body larger than $((size - 1)) bytes" --ca "$work/ca.pem" --max-bytes $((size - 1)) "$nginx_url"
  fetch_ca --max-bytes "$size" "$nginx_url" | cmp - "$work/www/cert.der"
}
check fetch-url-max-bytes too_big
check fetch-url-404 refused "status 404" --ca "$work/ca.pem" "https://localhost:$nginx_port/none.der"
check fetch-url-bad-url refused "not allowed in an https URL" "https://user@localhost:$nginx_port/"

# A server that accepts the TCP connection and never says a word.
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $mute_port)); s.listen(8)
open('$work/mute.ready', 'w').close()
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
" &
mute_pid=$!
for _ in $(seq 1 100); do [ -e "$work/mute.ready" ] && break; sleep 0.1; done
timeout_test() {
  local start end
  start=$(date +%s%N)
  refused "timed out after 2 s" --ca "$work/ca.pem" --timeout 2 "https://localhost:$mute_port/x" || return 1
  end=$(date +%s%N)
  local ms=$(( (end - start) / 1000000 ))
  echo "gave up after $ms ms"
  [ $ms -ge 1900 ] && [ $ms -le 3000 ]
}
check fetch-url-timeout timeout_test

kill -0 "$server_pid" || { echo "server died"; failures=$((failures + 1)); }
grep -q "GET /health -> 200" "$work/server.log" || { echo "no debug log of requests"; failures=$((failures + 1)); }
echo "$passed passed, $failures failed"
[ $failures -eq 0 ]
