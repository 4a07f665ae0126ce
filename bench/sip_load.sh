#!/usr/bin/env bash
# Bounded SIP load run (issue 3): SIPp as the client sends SUBSCRIBE requests for an event package
# nobody supports (each call one new transaction with its own Call-ID, bench/sipp/subscribe_489.xml)
# over UDP and over TCP, against
#   sipcred   — the release `sipcred serve`, which answers 489 Bad Event, and
#   kamailio  — Kamailio answering the same traffic statelessly with 489 (bench/kamailio/sl489.cfg),
# both started here on loopback, each on its own port, and stopped here. For each run it reports
# transactions per second and the server's CPU per transaction: utime+stime of every server
# process from /proc/PID/stat (10 ms ticks) and, finer, the summed run time of every thread from
# /proc/PID/task/*/schedstat (ns), both read just before and just after SIPp runs.
#
#   bench/sip_load.sh [PATH_TO_SIPCRED]        (default build/release/sipcred)
#
# Runs per server and transport: "fixed" (a rate both servers sustain without loss, count-limited)
# and "max" (SIPp keeps a fixed number of transactions in flight and sends as fast as answers come
# back). The server is pinned to one core and SIPp to the other (taskset), so each side has one
# core; Kamailio runs one UDP and one TCP worker (children=1, tcp_children=1), so each transport is
# served by one process as sipcred's one I/O thread does, and the CPU of all its processes is
# summed (main, timer and TCP-main processes included, idle or not).
#
# Environment (defaults in brackets):
#   SIP_LOAD_SERVERS     [sipcred kamailio]  which servers
#   SIP_LOAD_TRANSPORTS  [u1 t1]             SIPp transports: u1 = one UDP socket, t1 = one TCP connection
#   SIP_LOAD_MODES       [fixed max]
#   SIP_LOAD_RATE        [5000]              offered transactions/s in the fixed runs
#   SIP_LOAD_SECONDS     [6]                 length of a fixed run (count = rate x seconds)
#   SIP_LOAD_MAX_CALLS   [60000]             transactions in a max run
#   SIP_LOAD_INFLIGHT    [100]               transactions in flight in a max run (SIPp -l)
#   SIP_LOAD_SERVER_CPU  [0]   SIP_LOAD_SIPP_CPU [1]   cores for taskset
#   SIP_LOAD_OUT         [-]                 also append the result table (markdown) to this file
# Every SIPp run is bounded by its count, by SIPp's -timeout and by timeout(1); the whole script
# takes about a minute and a half with the defaults.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sipcred=${1:-$root/build/release/sipcred}

servers=${SIP_LOAD_SERVERS:-sipcred kamailio}
transports=${SIP_LOAD_TRANSPORTS:-u1 t1}
modes=${SIP_LOAD_MODES:-fixed max}
rate=${SIP_LOAD_RATE:-5000}
seconds=${SIP_LOAD_SECONDS:-6}
max_calls=${SIP_LOAD_MAX_CALLS:-60000}
inflight=${SIP_LOAD_INFLIGHT:-100}
server_cpu=${SIP_LOAD_SERVER_CPU:-0}
sipp_cpu=${SIP_LOAD_SIPP_CPU:-1}
out=${SIP_LOAD_OUT:-}
clk_tck=$(getconf CLK_TCK)

for tool in sipp taskset timeout python3; do
  command -v "$tool" > /dev/null || { echo "sip_load: $tool not found (bash scripts/setup.sh)" >&2; exit 1; }
done
case " $servers " in *" kamailio "*)
  command -v kamailio > /dev/null || { echo "sip_load: kamailio not found (bash scripts/setup.sh)" >&2; exit 1; }
esac
case " $servers " in *" sipcred "*)
  [ -x "$sipcred" ] || { echo "sip_load: $sipcred not built (cmake --preset release && cmake --build --preset release -j1 --target sipcred)" >&2; exit 1; }
esac

work=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
    server_pid=
  fi
}
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT

# True when something listens on 127.0.0.1:PORT over both UDP and TCP (no iproute2 needed).
listening() {
  local hex
  hex=$(printf '0100007F:%04X' "$1")
  grep -q " $hex 00000000:0000 0A " /proc/net/tcp && grep -q " $hex " /proc/net/udp
}

wait_listening() {  # port, log
  for _ in $(seq 1 100); do
    listening "$1" && return 0
    kill -0 "$server_pid" 2> /dev/null || { cat "$2"; echo "sip_load: server died" >&2; exit 1; }
    sleep 0.1
  done
  cat "$2"; echo "sip_load: server not listening on $1" >&2; exit 1
}

free_port() {  # a port P with P and P+1 (SIPp's) unused over UDP and TCP
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    grep -qi -e ":$(printf '%04X' "$p") " -e ":$(printf '%04X' $(( p + 1 ))) " /proc/net/udp /proc/net/tcp || break
  done
  echo "$p"
}

# The server's process and every descendant (Kamailio forks its workers from the main process).
server_pids() {
  local queue=("$server_pid") all=() p
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    all+=("$p")
    for c in $(cat /proc/"$p"/task/*/children 2> /dev/null); do queue+=("$c"); done
  done
  echo "${all[@]}"
}

# "TICKS NS": utime+stime (fields 14 and 15 of /proc/PID/stat, after the parenthesised comm) and
# the summed sum_exec_runtime of every thread (first field of /proc/PID/task/TID/schedstat).
cpu_sample() {
  local ticks=0 ns=0 p stat rest f
  for p in $(server_pids); do
    stat=$(cat /proc/"$p"/stat 2> /dev/null) || continue
    rest=${stat##*) }
    read -r -a f <<< "$rest"
    ticks=$(( ticks + f[11] + f[12] ))
    for t in /proc/"$p"/task/*/schedstat; do
      read -r f0 _ 2> /dev/null < "$t" && ns=$(( ns + f0 ))
    done
  done
  echo "$ticks $ns"
}

start_sipcred() {  # port
  "$sipcred" serve --sip-listen 127.0.0.1:"$1" --data-dir "$work/sipcred-data" --log-level warn \
    > "$work/sipcred.log" 2>&1 &
  server_pid=$!
  taskset -pc "$server_cpu" "$server_pid" > /dev/null
  wait_listening "$1" "$work/sipcred.log"
}

start_kamailio() {  # port
  mkdir -p "$work/kamailio-run"
  taskset -c "$server_cpu" kamailio -f "$here/kamailio/sl489.cfg" -DD -E \
    -Y "$work/kamailio-run" -P "$work/kamailio.pid" \
    -l udp:127.0.0.1:"$1" -l tcp:127.0.0.1:"$1" > "$work/kamailio.log" 2>&1 &
  server_pid=$!
  wait_listening "$1" "$work/kamailio.log"
  sleep 0.5  # let every worker finish its start-up before the first CPU sample
}

# One SIPp run; appends a line "server transport mode offered calls ok failed retrans wall ticks ns".
run_sipp() {  # server, port, transport, mode
  local server=$1 port=$2 transport=$3 mode=$4 calls args=() before after t0 t1 name
  name="$server-$transport-$mode"
  if [ "$mode" = fixed ]; then
    calls=$(( rate * seconds ))
    args=(-r "$rate" -rp 1000 -l $(( rate * 2 )))
  else
    calls=$max_calls
    args=(-r 1000000 -rp 1000 -l "$inflight")
  fi
  before=$(cpu_sample)
  t0=$(date +%s.%N)
  # -nd: no default behaviour (no BYE after an aborted call); -buff_size: peers.md, SIPp's own socket
  # drops UDP above ~10k/s without it.
  timeout 120 taskset -c "$sipp_cpu" sipp -sf "$here/sipp/subscribe_489.xml" -t "$transport" \
    -i 127.0.0.1 -p "$(( port + 1 ))" -m "$calls" "${args[@]}" -nd -buff_size 4194304 \
    -max_recv_loops 10000 -max_sched_loops 10000 -timeout 90s -timeout_error \
    -trace_stat -stf "$work/$name.csv" -fd 60 -trace_err -error_file "$work/$name.err" \
    127.0.0.1:"$port" < /dev/null > "$work/$name.out" 2>&1 || true
  t1=$(date +%s.%N)
  after=$(cpu_sample)
  python3 - "$work/$name.csv" "$server" "$transport" "$mode" "$([ "$mode" = fixed ] && echo "$rate" || echo max)" \
    "$calls" "$t0" "$t1" $before $after "$clk_tck" >> "$work/results" << 'EOF'
import csv, sys
path, server, transport, mode, offered, calls, t0, t1, tk0, ns0, tk1, ns1, hz = sys.argv[1:]
with open(path, newline="") as f:
    rows = [r for r in csv.reader(f, delimiter=";") if r]
head, last = rows[0], rows[-1]
def col(name):
    return int(last[head.index(name)] or 0)
ok, failed, retrans = col("SuccessfulCall(C)"), col("FailedCall(C)"), col("Retransmissions(C)")
print(server, transport, mode, offered, calls, ok, failed, retrans, float(t1) - float(t0),
      (int(tk1) - int(tk0)) / int(hz), (int(ns1) - int(ns0)) / 1e9)
EOF
}

for server in $servers; do
  port=$(free_port)
  case $server in
    sipcred) start_sipcred "$port" ;;
    kamailio) start_kamailio "$port" ;;
    *) echo "sip_load: unknown server $server" >&2; exit 1 ;;
  esac
  for transport in $transports; do
    for mode in $modes; do
      run_sipp "$server" "$port" "$transport" "$mode"
      tail -1 "$work/results" | awk '{printf "  done: %s %s %s  %d ok, %d failed\n", $1, $2, $3, $6, $7}'
    done
  done
  kill -0 "$server_pid" 2> /dev/null || { cat "$work/$server.log"; echo "sip_load: $server died" >&2; exit 1; }
  stop_server
done

python3 - "$work/results" "$out" << 'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
lines = [
    "| server | transport | offered/s | transactions | failed | UDP resends | achieved/s | server CPU | CPU µs/transaction (stat) | CPU µs/transaction (schedstat) |",
    "|---|---|---|---|---|---|---|---|---|---|",
]
for server, tr, mode, offered, calls, ok, failed, retrans, wall, cpu_stat, cpu_ns in rows:
    ok, failed, wall, cpu_stat, cpu_ns = int(ok), int(failed), float(wall), float(cpu_stat), float(cpu_ns)
    done = max(ok, 1)
    lines.append(
        f"| {server} | {'UDP' if tr == 'u1' else 'TCP'} | {offered if mode == 'fixed' else 'max'} | {ok:,} | "
        f"{failed:,} | {int(retrans):,} | {ok / wall:,.0f} | {100 * cpu_ns / wall:.0f} % | "
        f"{1e6 * cpu_stat / done:.1f} | {1e6 * cpu_ns / done:.2f} |")
text = "\n".join(lines)
print(text)
if sys.argv[2]:
    with open(sys.argv[2], "a") as f:
        f.write(text + "\n")
EOF
