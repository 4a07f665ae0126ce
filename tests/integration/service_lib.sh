# Shared by the scripts that run `sipcred serve` with the credential service on loopback
# (tests/integration/service_crash_test.sh, bench/service_*.sh). Source it, then:
#   service_setup SIPCRED WORK [TOML_LINES]   TLS identity for example.com made by openssl, a
#                                             config in WORK/sipcred.toml (UDP/TCP on $port, TLS
#                                             on $tls_port, MD5 digest as tls_client.py answers;
#                                             TOML_LINES are added to [service]), digest user
#                                             alice (password "wonderland") for sip:alice@example.com
#   service_start                             starts the server, sets $server_pid, waits for ready
#   service_kill                              SIGKILL, reaped
#   service_cpu_ticks                         utime + stime of the server (/proc/PID/stat 14, 15)
#   service_cleanup_on_exit WORK              on exit: the server killed, WORK removed
# Sets $port (random) and $tls_port before service_setup if they are unset.
: "${port:=$(( 20000 + RANDOM % 20000 ))}"
: "${tls_port:=$(( port + 1 ))}"
server_pid=
. "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"

service_setup() {
  service_bin=$1
  service_work=$2
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$service_work/tls.key" \
    -out "$service_work/tls.pem" -days 2 -subj "/CN=example.com" \
    -addext "subjectAltName=DNS:example.com" -addext "basicConstraints=critical,CA:FALSE" 2>/dev/null
  cat > "$service_work/sipcred.toml" <<TOML
data_dir = "$service_work/data"
[sip]
listen = ["127.0.0.1:$port"]
tls_listen = ["127.0.0.1:$tls_port"]
[service]
domains = ["example.com"]
digest_algorithms = ["MD5"]
${3:-}
[[tls.identity]]
domain = "example.com"
certificate = "$service_work/tls.pem"
key = "$service_work/tls.key"
TOML
  echo wonderland > "$service_work/pw"
  "$service_bin" user add --data-dir "$service_work/data" --aor sip:alice@example.com \
    --password-file "$service_work/pw" > /dev/null
}

service_start() {
  serve_and_wait "$service_bin" "$service_work/server.log" --config "$service_work/sipcred.toml" \
    --log-level info
}

service_kill() {
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

service_cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$server_pid/stat"
}

service_cleanup_on_exit() {
  service_cleanup_dir=$1
  trap 'service_kill; rm -rf "$service_cleanup_dir"' EXIT
}
