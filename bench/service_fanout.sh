#!/usr/bin/env bash
# Fan-out through the real server: SUBSCRIBERS certificate subscribers of alice over UDP (one
# Python socket), a re-PUBLISH over TLS, the time until the last subscriber has the NOTIFY with
# the new etag, and the round trips of OPTIONS sent every 2 ms meanwhile (bench/service_fanout.py).
#   bench/service_fanout.sh [SIPCRED] [SUBSCRIBERS]      default build/release/sipcred 10000
# min_notify_interval = 0 so that the change is not held back by CERT-7's minute after the first
# NOTIFYs; udp_mtu = 0 so that the 1.4 kB NOTIFYs stay on UDP (the subscriber has no TCP).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sipcred=${1:-$root/build/release/sipcred}
subscribers=${2:-10000}
certs="$root/tests/data/certs"
work=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 ))
tls_port=$(( port + 1 ))
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -9 "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.pem" -days 2 \
  -subj "/CN=example.com" -addext "subjectAltName=DNS:example.com" \
  -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
cat > "$work/sipcred.toml" <<TOML
data_dir = "$work/data"
[sip]
listen = ["127.0.0.1:$port"]
tls_listen = ["127.0.0.1:$tls_port"]
[service]
domains = ["example.com"]
digest_algorithms = ["MD5"]
min_notify_interval = 0
udp_mtu = 0
[[tls.identity]]
domain = "example.com"
certificate = "$work/tls.pem"
key = "$work/tls.key"
TOML
echo wonderland > "$work/pw"
"$sipcred" user add --data-dir "$work/data" --aor sip:alice@example.com --password-file "$work/pw" >/dev/null
"$sipcred" serve --config "$work/sipcred.toml" --log-level info > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do grep -q ready "$work/server.log" && break; sleep 0.1; done
python3 "$root/tests/integration/tls_client.py" 127.0.0.1 $tls_port publish sip:alice@example.com \
  alice wonderland "$certs/good.der" "$certs/good-aes.p8.der" > /dev/null
python3 "$here/service_fanout.py" 127.0.0.1 $port $tls_port "$subscribers" "$certs/good.der" \
  "$certs/good-aes.p8.der"
