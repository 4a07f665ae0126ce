#!/usr/bin/env bash
# `sipcred serve` answers OPTIONS over UDP and TCP on loopback, driven by two clients we did not
# write: SIPp (sip-tester) with tests/integration/sipp/options.xml, and sipsak.
#   options_test.sh PATH_TO_SIPCRED
set -euo pipefail
sipcred=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
port=$(( 20000 + RANDOM % 20000 ))
server_pid=

cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

serve_and_wait "$sipcred" "$work/server.log" --sip-listen 127.0.0.1:$port --data-dir "$work/data" --log-level info


for transport in u1 t1; do
  check "sipp-$transport" sipp -sf "$here/sipp/options.xml" -t $transport -m 20 -r 100 \
    -i 127.0.0.1 -p $(( port + 1 )) -timeout 30s -timeout_error -max_recv_loops 1000 \
    -trace_err -error_file "$work/sipp-$transport.err" 127.0.0.1:$port < /dev/null
done

sipsak_ok() {  # sipsak exits 0 only on a final 2xx
  sipsak -vv "$@" -s sip:probe@127.0.0.1:$port | tee /dev/stderr | grep -q "^SIP/2.0 200 OK"
}
check sipsak-udp sipsak_ok
check sipsak-tcp sipsak_ok --transport=tcp

kill -0 "$server_pid" || { echo "server died"; failures=$((failures + 1)); }

# IPv6: a second server on [::1], driven by SIPp over UDP and TCP (sipsak 0.9.8 has no IPv6).
"$sipcred" serve --sip-listen "[::1]:$(( port + 3 ))" --data-dir "$work/data6" --log-level info \
  > "$work/server6.log" 2>&1 &
server6_pid=$!
for _ in $(seq 1 100); do grep -q "ready" "$work/server6.log" 2>/dev/null && break; sleep 0.1; done
for transport in u1 t1; do
  check "sipp-ipv6-$transport" sipp -sf "$here/sipp/options.xml" -t $transport -m 5 -r 50 \
    -i ::1 -p $(( port + 4 )) -timeout 30s -timeout_error -max_recv_loops 1000 \
    "[::1]:$(( port + 3 ))" < /dev/null
done
kill "$server6_pid" 2>/dev/null; wait "$server6_pid" 2>/dev/null || true
echo "$(( 6 - failures )) passed, $failures failed"
[ $failures -eq 0 ]
