#!/usr/bin/env bash
# Signed-NOTIFY load (issue 7): what SIP Identity signing costs, measured in one run on one
# machine so the figures compare:
#   openssl   `openssl speed -seconds 3 rsa2048 ecdsap256` on the server core: signatures per
#             second of the bare primitive (RSA-2048 for RFC 4474, P-256 for RFC 8224 ES256).
#   kamailio  Kamailio 5.6 auth_identity signing (tests/integration/identity/kamailio/sign.cfg:
#             auth_date_proc, $du, auth_add_identity, stateless forward): a SIPp UAC sends
#             NOTIFYs with an ~800-byte body (bench/sipp/identity_notify_uac.xml) to Kamailio,
#             which signs with RSA-2048 and forwards to a SIPp UAS that checks an Identity is
#             there and answers 200 (bench/sipp/identity_notify_uas.xml).
#   sipcred   `sipcred serve` answering certificate SUBSCRIBEs (bench/sipp/cert_subscribe.xml:
#             SUBSCRIBE -> 200 -> NOTIFY carrying alice's 838-byte DER certificate -> 200), once
#             "unsigned" (no [identity] configuration: the SIP work alone) and once per
#             IDENTITY_TOML given, the case named after the file (e.g. rsa-sha1.toml, es256.toml).
# Each SIPp run is count-bounded and as fast as answers come back (SIPp keeps INFLIGHT calls
# open). Reported per run: exchanges (or requests) per second, and the server's CPU per exchange:
# the summed run time of every thread of every server process (/proc/PID/task/*/schedstat, ns,
# bench/lib.sh) read just before and just after SIPp; and SIPp's CPU (GNU time for the UAC, plus
# the UAS's schedstat in the Kamailio part). The servers are pinned to SERVER_CPU and SIPp to
# SIPP_CPU (taskset), as in bench/sip_load.sh; sipcred's signing pool may be given other cores
# (IDL_SIGN_CPUS).
#
#   bench/identity_load.sh [SIPCRED] [IDENTITY_TOML...]
#     SIPCRED        default build/release/sipcred
#     IDENTITY_TOML  TOML lines appended to the generated sipcred.toml for one signed run (the
#                    [identity] section); @PKI@ is replaced by the test PKI directory
#                    (tests/integration/identity/make_pki.sh: example.com.key/.pem/.der,
#                    example.com-p256.*, ca.pem, localhost.*) and @WORK@ by the scratch directory.
# Environment (defaults in brackets):
#   IDL_PARTS      [openssl kamailio sipcred]   which parts to run
#   IDL_CALLS      [20000]   calls (exchanges/requests) per SIPp run
#   IDL_INFLIGHT   [200]     calls in flight (SIPp -l) against sipcred: on an idle machine 50
#                            leave it waiting on round trips (unsigned and ES256 at a third to
#                            half of a core); 200 saturate it without loss
#   IDL_KAM_INFLIGHT [50]    the same against Kamailio: 50 keep it at 99 % of its core; at 200 its
#                            UDP socket overflows in bursts, SIPp resends and the rate falls ~8x
#   IDL_SERVER_CPU [0]   IDL_SIPP_CPU [1]   cores for taskset
#   IDL_KAM_CHILDREN [nproc]  Kamailio UDP worker processes (its `children`), one run per word:
#                  the default matches sipcred's signing pool (one thread per core); under a shared
#                  core a single worker also gets a smaller share of it than sipcred's threads do
#   IDL_MALLOC_THP [0]   sipcred runs, one per word: 0 as shipped, 1 with
#                  GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc backs its heap with transparent huge
#                  pages; on this VM a first-touch page fault of the growing heap is what an
#                  exchange spends most on, see BENCHMARKS.md)
#   IDL_SIGN_CPUS  [$IDL_SERVER_CPU]  for the signed runs: one run per word, each word a taskset
#                  core list for every sipcred thread but the I/O thread (the signing pool, and
#                  the idle store writer); e.g. "0 0,1" runs each IDENTITY_TOML with the signers
#                  on the server core, then with the signers allowed both cores (sharing SIPp's)
#   IDL_OUT        []        also append the result table (markdown) to this file
#   IDL_KEEP       [0]       1: keep the scratch directory (logs, SIPp statistics and errors)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sipcred=${1:-$root/build/release/sipcred}
identity_tomls=("${@:2}")
[ -e "$sipcred" ] && sipcred=$(realpath "$sipcred")
parts=${IDL_PARTS:-openssl kamailio sipcred}
calls=${IDL_CALLS:-20000}
inflight=${IDL_INFLIGHT:-200}
kam_inflight=${IDL_KAM_INFLIGHT:-50}
server_cpu=${IDL_SERVER_CPU:-0}
sipp_cpu=${IDL_SIPP_CPU:-1}
sign_cpus=${IDL_SIGN_CPUS:-$server_cpu}
kam_children=${IDL_KAM_CHILDREN:-$(nproc)}
malloc_thp=${IDL_MALLOC_THP:-0}
out=${IDL_OUT:-}
id="$root/tests/integration/identity"

for tool in sipp taskset timeout python3 openssl kamailio nginx; do
  command -v "$tool" > /dev/null || { echo "identity_load: $tool not found (bash scripts/setup.sh)" >&2; exit 1; }
done

idl_work=$(mktemp -d)
work=$idl_work
. "$here/lib.sh"
. "$id/lib.sh"
sipp_pids=()
cleanup() {
  local p
  for p in "${sipp_pids[@]}"; do kill "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done
  idl_cleanup
  [ -n "${server_pid:-}" ] && { kill -9 "$server_pid" 2> /dev/null || true; wait "$server_pid" 2> /dev/null || true; }
  if [ "${IDL_KEEP:-0}" = 1 ]; then echo "identity_load: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
bash "$id/make_pki.sh" "$work/pki"
results="$work/results"
: > "$results"

# One result line: "part case calls ok failed retrans wall_s cpu_ns sipp_cpu_ns minflt"
record() { echo "$*" >> "$results"; }

# A SIPp UAC run against 127.0.0.1:PORT, bounded by count; prints "ok failed retrans wall_s cpu_ns
# sipp_cpu_ns minflt": cpu_ns of the server whose pid is given (its process tree), sipp_cpu_ns SIPp's
# user + system time (GNU time, 10 ms resolution), minflt the server's minor page faults.
sipp_run() {  # name scenario port server_pid [sipp args...]
  local name=$1 scenario=$2 p=$3 spid=$4 c0 c1 t0 t1 f0 f1
  shift 4
  f0=$(bl_minflt "$spid")
  c0=$(bl_cpu_ns "$spid")
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/$name.time" timeout 300 taskset -c "$sipp_cpu" sipp -sf "$scenario" -t u1 -i 127.0.0.1 -p "$(idl_free_port)" \
    -m "$calls" -r 1000000 -rp 1000 -l "${run_inflight:-$inflight}" -nd -buff_size 4194304 \
    -max_recv_loops 10000 -max_sched_loops 10000 -timeout 200s -timeout_error -nostdin \
    -trace_stat -stf "$work/$name.csv" -fd 3600 -trace_err -error_file "$work/$name.err" \
    "$@" 127.0.0.1:"$p" < /dev/null > "$work/$name.out" 2>&1 || true
  t1=$(date +%s.%N)
  c1=$(bl_cpu_ns "$spid")
  f1=$(bl_minflt "$spid")
  [ -s "$work/$name.csv" ] || { cat "$work/$name.out" >&2; echo "identity_load: SIPp wrote no statistics ($name)" >&2; return 1; }
  echo "$(bl_sipp_counts "$work/$name.csv") $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') $(( c1 - c0 ))" \
    "$(awk 'END { printf "%d", ($1 + $2) * 1e9 }' "$work/$name.time" 2> /dev/null || echo 0)" \
    "$(( f1 - f0 ))"
}

# --- openssl speed ---------------------------------------------------------------------------------
if [[ " $parts " == *" openssl "* ]]; then
  taskset -c "$server_cpu" openssl speed -seconds 3 rsa2048 ecdsap256 > "$work/speed.out" 2> /dev/null
  rsa=$(awk '/^rsa 2048 bits/ { print $6 }' "$work/speed.out")
  ec=$(awk '/^ *256 bits ecdsa \(nistp256\)/ { print $(NF - 1) }' "$work/speed.out")
  echo "openssl speed (core $server_cpu): rsa2048 $rsa sign/s, ecdsap256 $ec sign/s"
  record openssl rsa2048 0 "${rsa%.*}" 0 0 1 0 0 0
  record openssl ecdsap256 0 "${ec%.*}" 0 0 1 0 0 0
fi

# --- Kamailio auth_identity signer ---------------------------------------------------------------
if [[ " $parts " == *" kamailio "* ]]; then
  idl_nginx_start "$work/pki" "$work/nginx"
  uas_port=$(idl_free_port)
  taskset -c "$sipp_cpu" sipp -sf "$here/sipp/identity_notify_uas.xml" -t u1 -i 127.0.0.1 -p "$uas_port" \
    -buff_size 4194304 -max_recv_loops 10000 -nostdin -trace_err -error_file "$work/uas.err" \
    < /dev/null > "$work/uas.out" 2>&1 &
  uas_pid=$!
  sipp_pids+=("$uas_pid")
  for kc in $kam_children; do
    kp=$(idl_free_port)
    # taskset on the kamailio command: every process it forks inherits the core.
    rm -rf "$work/kam-sign"
    mkdir -p "$work/kam-sign"
    taskset -c "$server_cpu" kamailio -f "$id/kamailio/sign.cfg" -DD -E -Y "$work/kam-sign" \
      -P "$work/kam-sign/pid" -w "$work/kam-sign" -l udp:127.0.0.1:"$kp" -A "CHILDREN=$kc" \
      -A "KEY=\"$work/pki/example.com.key\"" -A "CERT=\"$work/pki/example.com.pem\"" \
      -A "CERT_URL=\"https://127.0.0.1:$nginx_port/example.com.der\"" -A "NEXT_HOP=\"sip:127.0.0.1:$uas_port\"" \
      > "$work/kam-sign/log" 2>&1 &
    kam_pid=$!
    idl_pids+=("$kam_pid")
    for _ in $(seq 1 100); do idl_listening udp "$kp" && break; sleep 0.1; done
    sleep 0.5
    u0=$(bl_cpu_ns "$uas_pid")
    r=($(run_inflight=$kam_inflight sipp_run "kamailio-sign-$kc" "$here/sipp/identity_notify_uac.xml" "$kp" "$kam_pid"))
    u1=$(bl_cpu_ns "$uas_pid")
    # SIPp's CPU here is the UAC's and the UAS's together.
    r[5]=$(( r[5] + u1 - u0 ))
    record kamailio "auth_add_identity (rsa-sha1, RSA-2048), children=$kc" "$calls" "${r[@]}"
    kill "$kam_pid" 2> /dev/null || true
    wait "$kam_pid" 2> /dev/null || true
  done
fi

# --- sipcred serve ----------------------------------------------------------------------------------
if [[ " $parts " == *" sipcred "* ]]; then
  if [ ! -x "$sipcred" ]; then
    echo "identity_load: $sipcred not built (cmake --preset release && cmake --build --preset release -j1 --target sipcred); sipcred part skipped" >&2
  else
    . "$root/tests/integration/service_lib.sh"
    runs=()
    for thp in $malloc_thp; do
      runs+=("$thp||")
      for toml in "${identity_tomls[@]}"; do
        for sc in $sign_cpus; do runs+=("$thp|$toml|$sc"); done
      done
    done
    for run in "${runs[@]}"; do
      IFS='|' read -r thp toml sc <<< "$run"
      c=unsigned
      [ -n "$toml" ] && c=$(basename "$toml" .toml)
      rm -rf "$work/svc"
      mkdir -p "$work/svc"
      extra="udp_mtu = 0
[sip.limits]
source_rate = 0"
      if [ -n "$toml" ]; then
        extra="$extra
$(sed -e "s|@PKI@|$work/pki|g" -e "s|@WORK@|$work|g" "$toml")"
      fi
      # udp_mtu = 0 keeps the 1.3 kB NOTIFY on UDP (SIPp here is UDP-only); one SIPp address
      # sends everything, so the per-source limit is off (as in bench/sip_load.sh).
      service_setup "$sipcred" "$work/svc" "$extra"
      if [ "$thp" = 1 ]; then GLIBC_TUNABLES=glibc.malloc.hugetlb=1 service_start; else service_start; fi
      "$py" "$root/tests/integration/tls_client.py" 127.0.0.1 "$tls_port" publish sip:alice@example.com \
        alice wonderland "$root/tests/data/certs/good.der" "$root/tests/data/certs/good-aes.p8.der" > /dev/null
      taskset -a -pc "$server_cpu" "$server_pid" > /dev/null
      if [ -n "$toml" ]; then
        # Every thread but the I/O thread (tid = pid): the signing pool and the store's writer
        # (idle here: the one PUBLISH is done).
        for t in /proc/"$server_pid"/task/*; do
          [ "${t##*/}" = "$server_pid" ] || taskset -pc "$sc" "${t##*/}" > /dev/null
        done
        c="$c, signers on core $sc"
      fi
      [ "$thp" = 1 ] && c="$c, THP malloc"
      sleep 0.3
      r=$(sipp_run "sipcred-${c%%,*}${sc:+-${sc//,/+}}-thp$thp" "$here/sipp/cert_subscribe.xml" "$port" "$server_pid" -s alice)
      record sipcred "$c" "$calls" $r
      service_kill
    done
  fi
fi

"$py" - "$results" "$out" << 'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
lines = ["| part | case | calls | ok | failed | resends | per second | server CPU µs per call | server CPU, % of a core | SIPp CPU, % of a core | server page faults per call |",
         "|---|---|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    part, rest = r[0], r[1:]
    case = " ".join(rest[:-8])
    calls, ok, failed, retrans, wall, ns, sipp_ns, minflt = rest[-8:]
    ok, wall, ns, sipp_ns, minflt = int(ok), float(wall), int(ns), int(sipp_ns), int(minflt)
    if part == "openssl":
        lines.append(f"| openssl speed | {case} sign | | | | | {ok:,} | {1e6 / ok:.1f} | 100 % | | |")
        continue
    lines.append(f"| {part} | {case} | {int(calls):,} | {ok:,} | {failed} | {retrans} | {ok / wall:,.0f} "
                 f"| {ns / 1e3 / max(ok, 1):.1f} | {100 * ns / 1e9 / wall:.0f} % | {100 * sipp_ns / 1e9 / wall:.0f} % "
                 f"| {minflt / max(ok, 1):.2f} |")
text = "\n".join(lines)
print(text)
if sys.argv[2]:
    open(sys.argv[2], "a").write(text + "\n")
EOF
