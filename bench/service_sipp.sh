#!/usr/bin/env bash
# Certificate SUBSCRIBE→200→NOTIFY→200 exchanges per second against the release `sipcred serve`
# with SIPp over UDP (bench/sipp/cert_subscribe.xml), and the server's CPU per exchange from
# /proc/PID/stat (utime+stime) before and after each run. Bounded: each run is CALLS calls at
# RATE calls/s; the server is started afresh for each run (subscriptions are left to expire).
#   bench/service_sipp.sh [SIPCRED] [RATES] [SECONDS]
#     SIPCRED  default build/release/sipcred
#     RATES    space-separated calls/s, default "1000 2000 3000"
#     SECONDS  length of each run, default 10
# Two cases: "spread", every call subscribes to its own AOR (watchedN@example.com, no
# certificate: an empty NOTIFY, CERT-3), and "alice", every call subscribes to alice, whose
# openssl-made certificate tests/data/certs/good.der was published first over TLS by
# tests/integration/tls_client.py (the NOTIFY carries 838 bytes of DER, CERT-5). Prints one line
# per run. The server is stopped with SIGKILL after each run: thousands of subscriptions of one
# AOR ending together keep its I/O thread busy for minutes (Notifier::remove walks every
# subscription of the AOR; BENCHMARKS.md, ExpireAll), during which it does not act on SIGTERM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sipcred=${1:-$root/build/release/sipcred}
rates=${2:-"1000 2000 3000"}
seconds=${3:-10}
certs="$root/tests/data/certs"
work=$(mktemp -d)
ticks=$(getconf CLK_TCK)
. "$root/tests/integration/service_lib.sh"
service_cleanup_on_exit "$work"
# udp_mtu = 0 keeps the 1.3 kB NOTIFY with a certificate on UDP, as SIPp is UDP-only.
service_setup "$sipcred" "$work" "udp_mtu = 0"

# The spread variant: the AOR's user part gets SIPp's call number.
sed 's/sip:\[service\]@example.com/sip:[service][call_number]@example.com/g' \
  "$here/sipp/cert_subscribe.xml" > "$work/cert_subscribe_spread.xml"

service_start
python3 "$root/tests/integration/tls_client.py" 127.0.0.1 $tls_port publish sip:alice@example.com \
  alice wonderland "$certs/good.der" "$certs/good-aes.p8.der" > /dev/null
service_kill

printf '%-6s %6s %7s %9s %8s %8s %8s %11s %9s\n' case rate calls succeeded failed retrans per_s srv_us/exch sipp_cpu%
for aor in spread alice; do
  scenario="$here/sipp/cert_subscribe.xml"
  service=$aor
  [ "$aor" = spread ] && { scenario="$work/cert_subscribe_spread.xml"; service=watched; }
  for rate in $rates; do
    service_start
    calls=$(( rate * seconds ))
    c0=$(service_cpu_ticks)
    t0=$(date +%s.%N)
    rc=0
    /usr/bin/time -f '%U %S' -o "$work/sipp.time" \
      sipp -sf "$scenario" -s "$service" -t u1 -r "$rate" -m "$calls" \
      -i 127.0.0.1 -p $(( port + 2 )) -buff_size 4194304 -timeout $(( seconds * 3 + 30 ))s \
      -max_recv_loops 10000 -max_sched_loops 10000 -nostdin -trace_stat -stf "$work/stat.csv" \
      -fd 3600 127.0.0.1:$port > "$work/sipp.out" 2>&1 &
    sipp_pid=$!
    wait $sipp_pid || rc=$?
    t1=$(date +%s.%N)
    c1=$(service_cpu_ticks)
    # SIPp's statistics file: the last line holds the cumulative counters.
    read -r su ss < <(tail -1 "$work/sipp.time") || { su=0; ss=0; }
    read -r ok failed retrans < <(python3 - "$work/stat.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=";"))
h, last = rows[0], rows[-1]
print(last[h.index("SuccessfulCall(C)")], last[h.index("FailedCall(C)")],
      last[h.index("Retransmissions(C)")])
PY
)
    awk -v aor="$aor" -v rate="$rate" -v calls="$calls" -v ok="$ok" -v failed="$failed" -v retrans="$retrans" \
      -v t0="$t0" -v t1="$t1" -v c0="$c0" -v c1="$c1" -v hz="$ticks" -v scpu="$(awk '{print $1 + $2}' <<< "$su $ss")" 'BEGIN {
        el = t1 - t0; cpu = (c1 - c0) / hz;
        printf "%-6s %6d %7d %9d %8d %8d %8.0f %11.1f %9.0f\n", aor, rate, calls, ok, failed, retrans, ok / el,
          (ok > 0 ? cpu * 1e6 / ok : 0), 100 * scpu / el }'
    [ $rc -eq 0 ] || { echo "  (sipp exit $rc)"; tail -5 "$work/sipp.out"; }
    service_kill
  done
done
