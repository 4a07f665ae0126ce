#!/usr/bin/env bash
# Profile of `sipcred serve` on the signed certificate exchange of bench/identity_load.sh
# (SUBSCRIBE -> 200 -> NOTIFY carrying alice's DER certificate -> 200, SIPp over UDP), the server
# set up exactly as the driver does (bench/identity_load.sh's sipcred part).
#   bench/identity/profile.sh callgrind|perf SIPCRED [IDENTITY_TOML]
#     callgrind  the server under `valgrind --tool=callgrind` (instruction counts of every
#                function, all threads); the output file name is printed
#     perf       `perf record -g` on the running server (user and kernel time, sampled)
#     IDENTITY_TOML  as for the driver (@PKI@ replaced); none: unsigned
# Environment: PROF_PERF_ARGS [-g] (e.g. "--call-graph dwarf"), PROF_CALLS [3000] exchanges, PROF_RATE [200] per second (callgrind runs the server
# ~50x slower: keep the rate low enough that SIPp does not resend), PROF_OUT [/tmp] where the
# profile goes, PROF_SERVER_CPU [0], PROF_SIPP_CPU [1].
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/.." && pwd)
tool=$1
sipcred=$(realpath "$2")
toml=${3:-}
calls=${PROF_CALLS:-3000}
rate=${PROF_RATE:-200}
out=${PROF_OUT:-/tmp}
server_cpu=${PROF_SERVER_CPU:-0}
sipp_cpu=${PROF_SIPP_CPU:-1}
case $tool in callgrind | perf) ;; *) echo "profile.sh: callgrind or perf" >&2; exit 2 ;; esac

idl_work=$(mktemp -d)
work=$idl_work
. "$root/tests/integration/identity/lib.sh"
. "$root/tests/integration/service_lib.sh"
perf_pid=
cleanup() {
  [ -n "$perf_pid" ] && { kill -INT "$perf_pid" 2> /dev/null || true; wait "$perf_pid" 2> /dev/null || true; }
  [ -n "${server_pid:-}" ] && { kill -TERM "$server_pid" 2> /dev/null || true; wait "$server_pid" 2> /dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
bash "$root/tests/integration/identity/make_pki.sh" "$work/pki"
mkdir -p "$work/svc"
extra="udp_mtu = 0
[sip.limits]
source_rate = 0"
[ -n "$toml" ] && extra="$extra
$(sed -e "s|@PKI@|$work/pki|g" -e "s|@WORK@|$work|g" "$toml")"
service_setup "$sipcred" "$work/svc" "$extra"
name=sipcred-$(basename "${toml:-unsigned}" .toml)
if [ "$tool" = callgrind ]; then
  # service_start runs "$service_bin serve ..."; a wrapper puts valgrind in front.
  cat > "$work/vg" << EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$out/callgrind.$name.%p "$sipcred" "\$@"
EOF
  chmod +x "$work/vg"
  service_bin=$work/vg
fi
service_start
"$py" "$root/tests/integration/tls_client.py" 127.0.0.1 "$tls_port" publish sip:alice@example.com \
  alice wonderland "$root/tests/data/certs/good.der" "$root/tests/data/certs/good-aes.p8.der" > /dev/null
taskset -a -pc "$server_cpu" "$server_pid" > /dev/null
if [ "$tool" = perf ]; then
  perf record ${PROF_PERF_ARGS:--g} -o "$out/perf.$name.data" -p "$server_pid" > /dev/null 2>&1 &
  perf_pid=$!
  sleep 1
fi
taskset -c "$sipp_cpu" sipp -sf "$here/sipp/cert_subscribe.xml" -t u1 -i 127.0.0.1 -p "$(idl_free_port)" \
  -m "$calls" -r "$rate" -l 50 -nd -buff_size 4194304 -timeout 300s -timeout_error -nostdin \
  -trace_stat -stf "$work/sipp.csv" -fd 3600 -s alice 127.0.0.1:"$port" < /dev/null > "$work/sipp.out" 2>&1 || true
echo "SIPp: $(python3 - "$work/sipp.csv" << 'PY'
import csv, sys
rows = [r for r in csv.reader(open(sys.argv[1], newline=""), delimiter=";") if r]
h, last = rows[0], rows[-1]
print(*(f"{c}={last[h.index(c)]}" for c in ("SuccessfulCall(C)", "FailedCall(C)", "Retransmissions(C)")))
PY
)"
if [ -n "$perf_pid" ]; then
  kill -INT "$perf_pid"
  wait "$perf_pid" 2> /dev/null || true
  perf_pid=
  echo "perf data: $out/perf.$name.data"
fi
# SIGTERM: the server stops cleanly and valgrind writes its profile.
kill -TERM "$server_pid"
wait "$server_pid" 2> /dev/null || true
server_pid=
[ "$tool" = callgrind ] && ls -1 "$out"/callgrind."$name".* | tail -1
exit 0
