# Shared by the integration scripts that start `sipcred serve` and count checks. Source it once
# $work is set:
#   serve_and_wait SIPCRED LOG ARGS...  runs `SIPCRED serve ARGS...` in the background, its output
#                                       in LOG, sets $server_pid and waits up to 10 s for "ready";
#                                       if the server dies or never gets there, prints LOG and
#                                       exits 1
#   check NAME COMMAND...               runs COMMAND with its output in $work/NAME.out; prints
#                                       "ok   NAME" or "FAIL NAME" and the output, and counts it
#                                       in $passed or $failures
#   free_port                           a TCP port on 127.0.0.1 the kernel just handed out
failures=0
passed=0

serve_and_wait() {
  local bin=$1 log=$2
  shift 2
  : > "$log"
  "$bin" serve "$@" >> "$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    grep -q "ready" "$log" 2> /dev/null && return 0
    kill -0 "$server_pid" 2> /dev/null || break
    sleep 0.1
  done
  cat "$log"
  echo "server not ready"
  exit 1
}

check() {
  local name=$1
  shift
  if "$@" > "$work/$name.out" 2>&1; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    cat "$work/$name.out"
    failures=$((failures + 1))
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
