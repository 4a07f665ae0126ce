#!/usr/bin/env bash
# sipcred's digest client against two servers we did not write: SIPp's verifyauth (MD5 with and
# without qop) and Kamailio's auth module (MD5 and SHA-256, qop=auth, a wrong password, another
# user). The server side of digest is exercised by sipsak and a Python client in
# credential_service_test.sh.
#   digest_interop_test.sh PATH_TO_SIPCRED
# REQ-PART CRED-1, PUB-1
set -euo pipefail
sipcred=$1
here=$(cd "$(dirname "$0")" && pwd)
certs="$here/../data/certs"
work=$(mktemp -d)
. "$(dirname "$0")/test_lib.sh"
port=$(( 20000 + RANDOM % 20000 ))
pids=()

cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo wonderland > "$work/pw"
echo not-the-password > "$work/wrong"
echo interop-secret > "$work/kam"

# --- SIPp as the challenging server -----------------------------------------------------------
sipp_publish() {  # qop-param, password-file, expected exit of sipcred
  local qop=$1 pw=$2 want=$3 p=$(( port + RANDOM % 1000 + 10 ))
  sipp -sf "$here/sipp/digest_uas.xml" -key qopparam "$qop" -t u1 -i 127.0.0.1 -p $p -m 1 \
    -timeout 20s -timeout_error -bg > /dev/null 2>&1 < /dev/null
  sleep 0.3
  local rc=0
  "$sipcred" publish --aor sip:alice@example.com --server 127.0.0.1:$p --transport udp \
    --password-file "$pw" --cert "$certs/good.der" --timeout 10 || rc=$?
  pkill -f "sipp -sf $here/sipp/digest_uas.xml.* -p $p " 2>/dev/null || true
  echo "exit $rc (want $want)"
  [ "$rc" -eq "$want" ]
}
check sipp-md5-qop sipp_publish ', qop="auth"' "$work/pw" 0
check sipp-md5-rfc2069 sipp_publish ' ' "$work/pw" 0
check sipp-wrong-password sipp_publish ', qop="auth"' "$work/wrong" 1

# --- Kamailio's auth module as the challenging server ------------------------------------------
kamailio_run() {  # name, extra -A defines... ; sets kport (not in a subshell: cleanup kills it)
  local name=$1; shift
  local p=$(( port + 2000 + RANDOM % 1000 ))
  mkdir -p "$work/$name"
  kamailio -f "$here/kamailio/digest_auth.cfg" -DD -E -Y "$work/$name" -P "$work/$name/pid" \
    -l udp:127.0.0.1:$p "$@" > "$work/$name/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do
    grep -q "udp: 127.0.0.1" "$work/$name/log" 2>/dev/null && break
    sleep 0.1
  done
  sleep 0.3
  kport=$p
}
kam_fetch() {  # port, user, password-file, log, expected text in the Kamailio log
  local p=$1 user=$2 pw=$3 log=$4 want=$5
  # Kamailio answers the credential SUBSCRIBE with 200 but sends no NOTIFY: our client says so
  # (exit 1); what matters here is whether Kamailio accepted the digest response.
  "$sipcred" fetch-credential --aor sip:$user@example.com --user $user --server 127.0.0.1:$p \
    --transport udp --password-file "$pw" --out "$work/x" --timeout 10 || true
  sleep 0.2
  cat "$log"
  grep -q "$want" "$log"
}
kamailio_run kam-md5
kp=$kport
check kamailio-md5 kam_fetch $kp alice "$work/kam" "$work/kam-md5/log" "accepted for alice"
check kamailio-wrong-password kam_fetch $kp alice "$work/wrong" "$work/kam-md5/log" "code -2"
kamailio_run kam-sha256 -A WITH_SHA256
check kamailio-sha256 kam_fetch $kport alice "$work/kam" "$work/kam-sha256/log" "accepted for alice"

echo "$passed passed, $failures failed"
[ $failures -eq 0 ]
