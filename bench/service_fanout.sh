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
. "$root/tests/integration/service_lib.sh"
service_cleanup_on_exit "$work"
service_setup "$sipcred" "$work" "min_notify_interval = 0
udp_mtu = 0"
service_start
python3 "$root/tests/integration/tls_client.py" 127.0.0.1 $tls_port publish sip:alice@example.com \
  alice wonderland "$certs/good.der" "$certs/good-aes.p8.der" > /dev/null
python3 "$here/service_fanout.py" 127.0.0.1 $port $tls_port "$subscribers" "$certs/good.der" \
  "$certs/good-aes.p8.der"
