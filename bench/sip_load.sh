#!/usr/bin/env bash
# Bounded SIP load run (issue 3): SIPp as the client sends SUBSCRIBE requests for an event package
# nobody supports (each call one new transaction with its own Call-ID, bench/sipp/subscribe_489.xml)
# over UDP and over TCP, against
#   sipcred   — the release `sipcred serve`, which answers 489 Bad Event, and
#   kamailio  — Kamailio answering the same traffic statelessly with 489 (bench/kamailio/sl489.cfg),
#   floor     — (UDP only) a small C responder compiled here (bench/floor/floor.c): one blocking
#               recvfrom, the 489 built by copying five header lines, one sendto; what the kernel
#               and the wake-ups alone cost per transaction on this machine, the least any UDP
#               server can spend unbatched,
#   batchfloor — (UDP only) the same responder batched: a blocking recvmmsg of up to 32
#               datagrams, one sendmmsg per batch; the least with batching,
#   base      — (only with SIP_LOAD_BASE=PATH) another sipcred binary, e.g. the build before a
#               change, so that before and after are measured in the same run,
# all started here on loopback, each on its own port, and stopped here. For each run it reports
# transactions per second and the server's CPU per transaction: the summed run time of every
# thread of every server process (/proc/PID/task/*/schedstat, ns) and its split into user and
# system time (utime, stime of /proc/PID/stat: 10 ms ticks, sampled, so only a rough split), all
# read just before and just after SIPp runs (idle time of the server in that window included).
#
#   bench/sip_load.sh [PATH_TO_SIPCRED]        (default build/release/sipcred)
#
# Runs per server and transport: "fixed" (a rate both servers sustain without loss, count-limited)
# and "max" (SIPp keeps a fixed number of transactions in flight and sends as fast as answers come
# back). All servers run for the whole script and the runs alternate between them (sipcred,
# kamailio, floor, sipcred, ...), repeated SIP_LOAD_REPEAT times, so all see the same background
# load of this shared machine; the table gives the median of the repetitions. The servers are pinned to
# one core and SIPp to the other (taskset), so each side has one core; Kamailio runs one UDP and
# one TCP worker (children=1, tcp_children=1), so each transport is served by one process as by
# sipcred's one I/O thread, and the CPU of all its processes is summed (main, timer and TCP-main
# processes included, idle or not).
#
# Environment (defaults in brackets):
#   SIP_LOAD_SERVERS     [sipcred kamailio floor batchfloor, and base with SIP_LOAD_BASE]
#   SIP_LOAD_BASE        []                  a second sipcred binary, run as server "base"
#   SIP_LOAD_TRANSPORTS  [u1 t1]             SIPp transports: u1 = one UDP socket, t1 = one TCP connection
#   SIP_LOAD_MODES       [fixed max]
#   SIP_LOAD_REPEAT      [3]                 repetitions of every run
#   SIP_LOAD_RATE        [5000]              offered transactions/s in the fixed runs
#   SIP_LOAD_SECONDS     [3]                 length of a fixed run (count = rate x seconds)
#   SIP_LOAD_MAX_CALLS   [30000]             transactions in a max run
#   SIP_LOAD_INFLIGHT    [200]               transactions in flight in a max run (SIPp -l)
#   SIP_LOAD_SERVER_CPU  [0]   SIP_LOAD_SIPP_CPU [1]   cores for taskset
#   SIP_LOAD_OUT         []                  also append the result table (markdown) to this file
# Every SIPp run is bounded by its count, by SIPp's -timeout and by timeout(1); the whole script
# takes 2.5–3.5 minutes with the defaults (more when the machine is busy).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
sipcred=${1:-$root/build/release/sipcred}
[ -e "$sipcred" ] && sipcred=$(realpath "$sipcred")

servers=${SIP_LOAD_SERVERS:-sipcred kamailio floor batchfloor${SIP_LOAD_BASE:+ base}}
transports=${SIP_LOAD_TRANSPORTS:-u1 t1}
modes=${SIP_LOAD_MODES:-fixed max}
repeat=${SIP_LOAD_REPEAT:-3}
rate=${SIP_LOAD_RATE:-5000}
seconds=${SIP_LOAD_SECONDS:-3}
max_calls=${SIP_LOAD_MAX_CALLS:-30000}
inflight=${SIP_LOAD_INFLIGHT:-200}
server_cpu=${SIP_LOAD_SERVER_CPU:-0}
sipp_cpu=${SIP_LOAD_SIPP_CPU:-1}
out=${SIP_LOAD_OUT:-}
base=${SIP_LOAD_BASE:-}
[ -n "$base" ] && [ -e "$base" ] && base=$(realpath "$base")
clk_tck=$(getconf CLK_TCK)

for tool in sipp taskset timeout python3 cc; do
  command -v "$tool" > /dev/null || { echo "sip_load: $tool not found (bash scripts/setup.sh)" >&2; exit 1; }
done
for server in $servers; do
  case $server in
    kamailio) command -v kamailio > /dev/null ||
      { echo "sip_load: kamailio not found (bash scripts/setup.sh)" >&2; exit 1; } ;;
    floor) ;;
    sipcred) [ -x "$sipcred" ] || { echo "sip_load: $sipcred not built (cmake --preset release &&" \
      "cmake --build --preset release -j1 --target sipcred)" >&2; exit 1; } ;;
    base) [ -x "$base" ] || { echo "sip_load: SIP_LOAD_BASE='$base' is not a program" >&2; exit 1; } ;;
    batchfloor) ;;
    *) echo "sip_load: unknown server $server" >&2; exit 1 ;;
  esac
done

work=$(mktemp -d)
keep_work=0
declare -A pid port
cleanup() {
  for s in "${!pid[@]}"; do
    kill "${pid[$s]}" 2> /dev/null || true
    wait "${pid[$s]}" 2> /dev/null || true
  done
  if [ "$keep_work" = 1 ]; then echo "sip_load: logs, SIPp output and any core file kept in $work" >&2
  else rm -rf "$work"; fi
}
trap cleanup EXIT

# A server that is gone ends the script at once, with its exit status and log (a core file, if
# the system writes them to the working directory, lands in $work: the servers run there).
check_alive() {  # server
  kill -0 "${pid[$1]}" 2> /dev/null && return 0
  local status=0
  wait "${pid[$1]}" || status=$?
  unset "pid[$1]"
  keep_work=1
  cat "$work/$1.log" >&2
  echo "sip_load: $1 is gone (exit status $status$([ $status -gt 128 ] && echo ", signal $(( status - 128 ))"))" >&2
  exit 1
}

# True when something listens on 127.0.0.1:PORT over both UDP and TCP (no iproute2 needed).
listening() {
  local hex
  hex=$(printf '0100007F:%04X' "$1")
  grep -q " $hex 00000000:0000 0A " /proc/net/tcp && grep -q " $hex " /proc/net/udp
}

wait_listening() {  # server
  for _ in $(seq 1 100); do
    listening "${port[$1]}" && return 0
    check_alive "$1"
    sleep 0.1
  done
  cat "$work/$1.log"; echo "sip_load: $1 not listening on ${port[$1]}" >&2; exit 1
}

used_ports=" "
free_port() {  # a port P with P and P+1 (SIPp's) unused over UDP and TCP, and not handed out yet
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    case $used_ports in *" $p "* | *" $(( p + 1 )) "* | *" $(( p - 1 )) "*) continue ;; esac
    grep -qi -e ":$(printf '%04X' "$p") " -e ":$(printf '%04X' $(( p + 1 ))) " /proc/net/udp /proc/net/tcp || break
  done
  used_ports="$used_ports$p "
  echo "$p"
}

# A server's process and every descendant (Kamailio forks its workers from the main process).
server_pids() {  # server
  local queue=("${pid[$1]}") all=() p
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    all+=("$p")
    for c in $(cat /proc/"$p"/task/*/children 2> /dev/null); do queue+=("$c"); done
  done
  echo "${all[@]}"
}

# "UTICKS STICKS NS": utime and stime (fields 14 and 15 of /proc/PID/stat, after the parenthesised
# comm) and the summed sum_exec_runtime of every thread (first field of /proc/PID/task/TID/schedstat).
cpu_sample() {  # server
  local uticks=0 sticks=0 ns=0 p stat rest f f0
  for p in $(server_pids "$1"); do
    stat=$(cat /proc/"$p"/stat 2> /dev/null) || continue
    rest=${stat##*) }
    read -r -a f <<< "$rest"
    uticks=$(( uticks + f[11] ))
    sticks=$(( sticks + f[12] ))
    for t in /proc/"$p"/task/*/schedstat; do
      read -r f0 _ 2> /dev/null < "$t" && ns=$(( ns + f0 ))
    done
  done
  echo "$uticks $sticks $ns"
}

start_sipcred() {  # [server name] [binary]
  local name=${1:-sipcred} bin=${2:-$sipcred}
  # All the load comes from one SIPp address: the per-source request limit (10,000/s by default,
  # answered 503) is switched off, as Kamailio's config has none.
  printf '[sip.limits]\nsource_rate = 0\n' > "$work/$name.toml"
  (cd "$work" && ulimit -c unlimited 2> /dev/null
   exec "$bin" serve --config "$work/$name.toml" --sip-listen 127.0.0.1:"${port[$name]}" \
     --data-dir "$work/$name-data" --log-level warn) > "$work/$name.log" 2>&1 &
  pid[$name]=$!
  taskset -pc "$server_cpu" "${pid[$name]}" > /dev/null
  wait_listening "$name"
}

# Another sipcred binary (SIP_LOAD_BASE), e.g. the build before a change, measured in the same run.
start_base() {
  start_sipcred base "$base"
}

start_kamailio() {
  mkdir -p "$work/kamailio-run"
  taskset -c "$server_cpu" kamailio -f "$here/kamailio/sl489.cfg" -DD -E \
    -Y "$work/kamailio-run" -P "$work/kamailio.pid" \
    -l udp:127.0.0.1:"${port[kamailio]}" -l tcp:127.0.0.1:"${port[kamailio]}" \
    > "$work/kamailio.log" 2>&1 &
  pid[kamailio]=$!
  wait_listening kamailio
  sleep 0.5  # let every worker finish its start-up before the first CPU sample
}

start_floor() {  # [server name] [mode]
  local name=${1:-floor}
  [ -x "$work/floor" ] || cc -O2 -o "$work/floor" "$here/floor/floor.c"
  taskset -c "$server_cpu" "$work/floor" "${port[$name]}" ${2:-} > "$work/$name.log" 2>&1 &
  pid[$name]=$!
  for _ in $(seq 1 50); do
    grep -q " $(printf '0100007F:%04X' "${port[$name]}") " /proc/net/udp && return 0
    sleep 0.1
  done
  echo "sip_load: $name not listening" >&2; exit 1
}

start_batchfloor() {
  start_floor batchfloor batch
}

# One SIPp run; appends a line
# "server transport mode offered calls ok failed retrans wall user_s sys_s cpu_s".
run_sipp() {  # server, transport, mode, repetition
  local server=$1 transport=$2 mode=$3 calls args=() before after t0 t1 name
  name="$server-$transport-$mode-$4"
  if [ "$mode" = fixed ]; then
    calls=$(( rate * seconds ))
    args=(-r "$rate" -rp 1000 -l $(( rate * 2 )))
  else
    calls=$max_calls
    args=(-r 1000000 -rp 1000 -l "$inflight")
  fi
  check_alive "$server"
  before=$(cpu_sample "$server")
  t0=$(date +%s.%N)
  # -nd: no default behaviour (no BYE after a failed call); -buff_size: SIPp's own UDP socket
  # drops above ~10k/s without it (shared/reference/peers.md).
  timeout 120 taskset -c "$sipp_cpu" sipp -sf "$here/sipp/subscribe_489.xml" -t "$transport" \
    -i 127.0.0.1 -p "$(( port[$server] + 1 ))" -m "$calls" "${args[@]}" -nd -buff_size 4194304 \
    -max_recv_loops 10000 -max_sched_loops 10000 -timeout 90s -timeout_error \
    -trace_stat -stf "$work/$name.csv" -fd 60 -trace_err -error_file "$work/$name.err" \
    127.0.0.1:"${port[$server]}" < /dev/null > "$work/$name.out" 2>&1 || true
  t1=$(date +%s.%N)
  after=$(cpu_sample "$server")
  check_alive "$server"
  [ -s "$work/$name.csv" ] || { cat "$work/$name.out"; echo "sip_load: SIPp wrote no statistics" >&2; exit 1; }
  python3 - "$work/$name.csv" "$server" "$transport" "$mode" \
    "$([ "$mode" = fixed ] && echo "$rate" || echo max)" "$calls" "$t0" "$t1" $before $after \
    "$clk_tck" >> "$work/results" << 'EOF'
import csv, sys
path, server, transport, mode, offered, calls, t0, t1, u0, s0, ns0, u1, s1, ns1, hz = sys.argv[1:]
with open(path, newline="") as f:
    rows = [r for r in csv.reader(f, delimiter=";") if r]
head, last = rows[0], rows[-1]
def col(name):
    return int(last[head.index(name)] or 0)
ok, failed, retrans = col("SuccessfulCall(C)"), col("FailedCall(C)"), col("Retransmissions(C)")
print(server, transport, mode, offered, calls, ok, failed, retrans, float(t1) - float(t0),
      (int(u1) - int(u0)) / int(hz), (int(s1) - int(s0)) / int(hz), (int(ns1) - int(ns0)) / 1e9)
EOF
  tail -1 "$work/results" | awk '{printf "  %-8s %s %-5s %6d ok %4d failed %6.0f/s %5.1f us CPU each\n",
    $1, $2, $3, $6, $7, $6 / $9, 1e6 * $12 / ($6 > 0 ? $6 : 1)}'
}

for server in $servers; do
  port[$server]=$(free_port)
  "start_$server"
done

for rep in $(seq 1 "$repeat"); do
  for transport in $transports; do
    for mode in $modes; do
      for server in $servers; do
        case $server:$transport in *floor:t1) continue ;; esac  # the floors serve UDP only
        run_sipp "$server" "$transport" "$mode" "$rep"
      done
    done
  done
done

for server in $servers; do check_alive "$server"; done

python3 - "$work/results" "$out" "$repeat" << 'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
groups = {}
for server, tr, mode, offered, calls, ok, failed, retrans, wall, user, sys_, cpu in rows:
    groups.setdefault((tr, mode, offered, server), []).append(
        (int(ok), int(failed), int(retrans), float(wall), float(user), float(sys_), float(cpu)))
lines = [
    f"| transport | offered/s | server | transactions (x{sys.argv[3]}) | failed | UDP resends "
    "| achieved/s | server CPU, % of a core | **CPU µs per transaction** | user / sys µs (ticks) |",
    "|---|---|---|---|---|---|---|---|---|---|",
]
median = statistics.median
for (tr, mode, offered, server), runs in groups.items():
    per = [(1e6 * cpu / max(ok, 1), 1e6 * user / max(ok, 1), 1e6 * s / max(ok, 1), ok / wall, cpu / wall)
           for ok, _, _, wall, user, s, cpu in runs]
    lines.append(
        f"| {'UDP' if tr == 'u1' else 'TCP'} | {offered if mode == 'fixed' else 'max'} | {server} "
        f"| {runs[0][0]:,} | {sum(r[1] for r in runs):,} | {sum(r[2] for r in runs):,} "
        f"| {median(p[3] for p in per):,.0f} | {100 * median(p[4] for p in per):.0f} % "
        f"| **{median(p[0] for p in per):.1f}** ({min(p[0] for p in per):.1f}–{max(p[0] for p in per):.1f}) "
        f"| {median(p[1] for p in per):.1f} / {median(p[2] for p in per):.1f} |")
text = "\n".join(lines)
print(text)
if sys.argv[2]:
    with open(sys.argv[2], "a") as f:
        f.write(text + "\n")
EOF
