#!/usr/bin/env bash
# HTTPS endpoint vs nginx: wrk (HTTP/1.1 keep-alive over TLS) against
#   sipcred — the release `sipcred serve` answering GET /health ("ok", a static route), and
#   nginx   — Debian's nginx, one worker, answering GET /health from a file holding "ok",
# both with the same ECDSA P-256 certificate made here by openssl, both on loopback, started and
# stopped here. The servers run on one core and wrk on the other (taskset); runs alternate
# (sipcred, nginx, sipcred, ...) HTTPS_BENCH_REPEAT times so both see the same background load,
# and the table has every run and the median of each. CPU per request: utime + stime of the
# server process(es) over the run (/proc/PID/stat, 10 ms ticks) divided by the requests wrk made.
#
#   bench/https_bench.sh [PATH_TO_SIPCRED]       (default build/release/sipcred)
#
# Environment (defaults in brackets): HTTPS_BENCH_REPEAT [3], HTTPS_BENCH_ARGS [-t2 -c24 -d5s],
# HTTPS_BENCH_SERVER_CPU [0], HTTPS_BENCH_WRK_CPU [1]. 24 connections: wrk is one client address,
# and sipcred accepts 32 from one address (max_connections_per_source); each connection is closed
# after 1,000 requests by both servers, and until the old one is gone its reconnection counts
# against the 32 too (with 32 or more, wrk reports refused connects).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sipcred=${1:-$here/../build/release/sipcred}
repeat=${HTTPS_BENCH_REPEAT:-3}
wrk_args=${HTTPS_BENCH_ARGS:--t2 -c24 -d5s}
server_cpu=${HTTPS_BENCH_SERVER_CPU:-0}
wrk_cpu=${HTTPS_BENCH_WRK_CPU:-1}
work=$(mktemp -d)
. "$here/../tests/integration/test_lib.sh"
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls.key" \
  -out "$work/tls.pem" -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
  -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null

sip_port=$(free_port)
our_port=$(free_port)
nginx_port=$(free_port)
cat > "$work/sipcred.toml" <<TOML
data_dir = "$work/data"
[sip]
listen = ["127.0.0.1:$sip_port"]
[https]
listen = ["127.0.0.1:$our_port"]
[[tls.identity]]
domain = "localhost"
certificate = "$work/tls.pem"
key = "$work/tls.key"
TOML
taskset -c "$server_cpu" "$sipcred" serve --config "$work/sipcred.toml" --log-level warn \
  > "$work/sipcred.log" 2>&1 &
our_pid=$!
pids+=("$our_pid")

mkdir -p "$work/www" "$work/nginx-tmp"
printf ok > "$work/www/health"
chmod -R a+rX "$work/www"
cat > "$work/nginx.conf" <<NGINX
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx-tmp;
  proxy_temp_path $work/nginx-tmp;
  fastcgi_temp_path $work/nginx-tmp;
  uwsgi_temp_path $work/nginx-tmp;
  scgi_temp_path $work/nginx-tmp;
  default_type text/plain;
  keepalive_requests 1000;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/tls.pem;
    ssl_certificate_key $work/tls.key;
    ssl_ecdh_curve X25519:prime256v1;
    root $work/www;
  }
}
NGINX
taskset -c "$server_cpu" nginx -c "$work/nginx.conf" -p "$work" -e "$work/nginx-error.log" &
nginx_pid=$!
pids+=("$nginx_pid")

for url in "https://127.0.0.1:$our_port/health" "https://127.0.0.1:$nginx_port/health"; do
  for _ in $(seq 1 100); do
    [ "$(curl -sk --max-time 1 "$url" 2>/dev/null)" = ok ] && break
    sleep 0.1
  done
  [ "$(curl -sk "$url")" = ok ] || { echo "no answer from $url"; cat "$work"/*.log; exit 1; }
done

ticks() {  # utime + stime of a process and its children threads; nginx: master + workers
  local total=0 p
  for p in "$@"; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  echo $total
}
nginx_pids() { echo "$nginx_pid $(pgrep -P "$nginx_pid" | tr '\n' ' ')"; }

echo "| run | server | requests/s | p50 latency | p99 latency | CPU µs/request |"
echo "|---|---|---|---|---|---|"
declare -A rates cpus
for i in $(seq 1 "$repeat"); do
  for server in sipcred nginx; do
    if [ "$server" = sipcred ]; then port=$our_port; procs=$our_pid; else port=$nginx_port; procs=$(nginx_pids); fi
    before=$(ticks $procs)
    # shellcheck disable=SC2086
    out=$(taskset -c "$wrk_cpu" wrk $wrk_args --latency "https://127.0.0.1:$port/health")
    after=$(ticks $procs)
    requests=$(awk '/requests in/ { print $1 }' <<< "$out")
    rate=$(awk '/Requests\/sec/ { print $2 }' <<< "$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<< "$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<< "$out")
    errors=$(awk '/Non-2xx|Socket errors/' <<< "$out")
    cpu=$(awk -v t=$((after - before)) -v n="$requests" 'BEGIN { printf "%.1f", t * 10000 / n }')
    echo "| $i | $server | $rate | $p50 | $p99 | $cpu |${errors:+ $errors}"
    rates[$server]+="$rate "
    cpus[$server]+="$cpu "
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo
echo "| server | median requests/s | median CPU µs/request |"
echo "|---|---|---|"
for server in sipcred nginx; do
  echo "| $server | $(median <<< "${rates[$server]}") | $(median <<< "${cpus[$server]}") |"
done
