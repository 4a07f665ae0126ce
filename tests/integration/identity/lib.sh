# shellcheck shell=bash
# Shared by tests/integration/identity_interop.sh and bench/identity_load.sh: servers of the
# Identity interop runs (nginx, Kamailio, the UDP capture) started on loopback and stopped by
# idl_cleanup (call it from the caller's EXIT trap). Source it, then:
#   idl_free_port                      a UDP+TCP port on 127.0.0.1 nobody uses and not handed out
#   idl_nginx_start PKI RUN            nginx serving PKI/www over HTTPS (PKI/localhost.pem) on
#                                      $nginx_port, pid/logs/temp in RUN (nginx.conf.in)
#   idl_kamailio_start NAME CFG PORT [ARGS...]
#                                      kamailio -f CFG -DD -E on udp:127.0.0.1:PORT, run dir
#                                      $idl_work/NAME, log $idl_work/NAME/log; waits until it
#                                      listens; sets kam_pid
#   idl_capture_start PORT OUT [COUNT] capture_udp.py in the background; waits for 'ready'
#   idl_cleanup                        stops every process started here (by pid), waits for them
# Needs $idl_work (a scratch directory) set before use. Sets $py (the python3 to run).
idl_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Debian's interpreter when present: a pyenv shim first in PATH costs ~1 s per start here.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
idl_pids=()
idl_used_ports=" "

idl_cleanup() {
  local p
  for p in "${idl_pids[@]}"; do kill "$p" 2> /dev/null || true; done
  for p in "${idl_pids[@]}"; do wait "$p" 2> /dev/null || true; done
  idl_pids=()
}

idl_free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    case $idl_used_ports in *" $p "*) continue ;; esac
    grep -qi ":$(printf '%04X' "$p") " /proc/net/udp /proc/net/tcp || break
  done
  idl_used_ports="$idl_used_ports$p "
  echo "$p"
}

idl_listening() {  # udp|tcp PORT
  grep -qi " 0100007F:$(printf '%04X' "$2") " /proc/net/"$1"
}

idl_nginx_start() {  # PKI RUN
  local pki=$1 run=$2
  mkdir -p "$run"
  nginx_port=$(idl_free_port)
  sed -e "s|@PORT@|$nginx_port|g" -e "s|@PKI@|$pki|g" -e "s|@RUN@|$run|g" \
    "$idl_here/nginx.conf.in" > "$run/nginx.conf"
  nginx -p "$run" -c "$run/nginx.conf" -e "$run/error.log" > "$run/stdout.log" 2>&1 &
  idl_pids+=($!)
  local _
  for _ in $(seq 1 50); do
    idl_listening tcp "$nginx_port" && return 0
    sleep 0.1
  done
  cat "$run/error.log" "$run/stdout.log" >&2
  echo "nginx did not start" >&2
  return 1
}

idl_kamailio_start() {  # NAME CFG PORT [ARGS...]
  local name=$1 cfg=$2 p=$3
  shift 3
  mkdir -p "$idl_work/$name"
  kamailio -f "$cfg" -DD -E -Y "$idl_work/$name" -P "$idl_work/$name/pid" -w "$idl_work/$name" \
    -l udp:127.0.0.1:"$p" "$@" > "$idl_work/$name/log" 2>&1 &
  kam_pid=$!
  idl_pids+=("$kam_pid")
  local _
  for _ in $(seq 1 100); do
    if idl_listening udp "$p"; then
      sleep 0.3  # its workers finish their start-up
      return 0
    fi
    kill -0 "$kam_pid" 2> /dev/null || break
    sleep 0.1
  done
  cat "$idl_work/$name/log" >&2
  echo "kamailio ($name) did not start" >&2
  return 1
}

idl_capture_start() {  # PORT OUT [COUNT]
  "$py" -u "$idl_here/capture_udp.py" "$@" > "$2.ready" 2>&1 &
  idl_pids+=($!)
  local _
  for _ in $(seq 1 50); do
    grep -q ready "$2.ready" 2> /dev/null && return 0
    sleep 0.1
  done
  cat "$2.ready" >&2
  return 1
}
