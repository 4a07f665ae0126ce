#!/usr/bin/env bash
# Durable PUBLISHes per second through the release `sipcred serve`: CLIENTS concurrent Python
# TLS clients (tests/integration/publish_load.py --unconditional, 16 per process: one PUBLISH
# in flight per connection, MD5 digest with nonce reuse) publish tests/data/certs/good.der + good-aes.p8.der
# for sip:alice@example.com for SECONDS; every 200 came after its commit (WAL,
# synchronous=FULL, group commit). Prints acks/s, the server's CPU per PUBLISH
# (/proc/PID/stat utime+stime) and the clients' CPU (they share the machine's two cores).
#   bench/service_publish.sh [SIPCRED] [CLIENTS...] [-- SECONDS]   default: 16 64, 10 s
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sipcred=${1:-$root/build/release/sipcred}
shift || true
clients=()
seconds=10
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then seconds=$2; break; fi
  clients+=("$1"); shift
done
[ ${#clients[@]} -gt 0 ] || clients=(16 64)
certs="$root/tests/data/certs"
work=$(mktemp -d)
ticks=$(getconf CLK_TCK)
. "$root/tests/integration/service_lib.sh"
service_cleanup_on_exit "$work"
service_setup "$sipcred" "$work"

printf '%8s %8s %8s %10s %12s %12s\n' clients acks lost acks_per_s srv_us/pub client_cpu%
for n in "${clients[@]}"; do
  service_start
  c0=$(service_cpu_ticks)
  # One Python process per 16 clients (one process's GIL would be the limit), each on its own
  # source addresses.
  t0=$(date +%s.%N)
  pids=()
  for i in $(seq 0 $(( (n + 15) / 16 - 1 ))); do
    k=$(( n - 16 * i < 16 ? n - 16 * i : 16 ))
    /usr/bin/time -f '%U %S' -o "$work/py.$i.time" python3 "$root/tests/integration/publish_load.py" \
      127.0.0.1 $tls_port sip:alice@example.com alice wonderland "$certs/good.der" \
      "$certs/good-aes.p8.der" --clients "$k" --seconds "$seconds" --unconditional \
      --first-source $(( 2 + 2 * i )) > "$work/load.$i.out" &
    pids+=($!)
  done
  wait "${pids[@]}"
  t1=$(date +%s.%N)
  c1=$(service_cpu_ticks)
  read -r acks lost < <(cat "$work"/load.*.out | awk '{ a += $1; l += $2 } END { print a, l }')
  pe=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  rate=$(awk -v a="$acks" -v e="$pe" 'BEGIN { print a / e }')
  read -r pu ps < <(for f in "$work"/py.*.time; do tail -1 "$f"; done | awk '{ u += $1; s += $2 } END { print u, s }')
  rm -f "$work"/load.*.out "$work"/py.*.time
  awk -v n="$n" -v acks="$acks" -v lost="$lost" -v rate="$rate" -v c0="$c0" -v c1="$c1" \
    -v hz="$ticks" -v pu="$pu" -v ps="$ps" -v pe="$pe" 'BEGIN {
      printf "%8d %8d %8d %10.1f %12.0f %12.0f\n", n, acks, lost, rate,
        (acks > 0 ? (c1 - c0) / hz * 1e6 / acks : 0), 100 * (pu + ps) / pe }'
  service_kill
done
