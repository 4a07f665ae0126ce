#!/usr/bin/env bash
# Crash test of the credential store behind `sipcred serve` (issue 5; store durability: a 2xx to
# PUBLISH only after the commit, kill -9 at any moment loses no acknowledged change and leaves no
# half-written state). Concurrent Python TLS clients (publish_load.py) keep many PUBLISHes in
# flight with SIP-If-Match chaining and log every acknowledged entity-tag; the server is killed
# with SIGKILL at random moments KILLS times and restarted each time. Judged by the sqlite3 CLI:
#   - PRAGMA integrity_check is "ok" (after every restart too: the server opened the file);
#   - every acknowledged entity-tag is a row of `credentials` for the AOR;
#   - nothing else changed: the rows nobody acknowledged are at most the requests whose answer
#     was lost to a kill, every row has its `publish` audit entry (same transaction) and no
#     audit entry names a row that is not there, the AOR has exactly one live row, the users
#     table is as `sipcred user add` left it.
#   service_crash_test.sh PATH_TO_SIPCRED [KILLS] [CLIENTS]
# REQ-PART PUB-4
set -euo pipefail
sipcred=$1
kills=${2:-8}
clients=${3:-24}
here=$(cd "$(dirname "$0")" && pwd)
certs="$here/../data/certs"
work=$(mktemp -d)
load_pid=
db="$work/data/sipcred.db"
. "$here/service_lib.sh"

cleanup() {
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  service_kill
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

service_setup "$sipcred" "$work"
users_before=$(sqlite3 "$db" "SELECT realm, username, aor, disabled FROM users ORDER BY 1, 2;
  SELECT realm, username, algorithm, hex FROM user_ha1 ORDER BY 1, 2, 3;")

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

integrity() {
  local r
  r=$(sqlite3 "$db" "PRAGMA integrity_check;")
  [ "$r" = "ok" ] || fail "integrity_check $1: $r"
}

service_start
# Long enough for every kill and restart; the clients stop on their own when it is over.
load_seconds=$(( kills * 4 + 6 ))
python3 "$here/publish_load.py" 127.0.0.1 $tls_port sip:alice@example.com alice wonderland \
  "$certs/good.der" "$certs/good-aes.p8.der" --clients "$clients" --seconds $load_seconds \
  --log "$work/acks.log" > "$work/load.out" 2>&1 &
load_pid=$!

# The clients connect and publish before the first kill.
for _ in $(seq 1 100); do
  n=$(grep -c '^ack' "$work/acks.log" 2>/dev/null || true)
  [ "${n:-0}" -ge 20 ] && break
  sleep 0.1
done
for k in $(seq 1 "$kills"); do
  # A random moment 1.0-3.5 s into this life of the server (the load is steady by then).
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 1.0 + 2.5 * r / 32767 }')"
  outcomes=$(grep -c . "$work/acks.log" 2>/dev/null || true)
  service_kill
  echo "kill $k: after $outcomes logged outcomes"
  integrity "after kill $k"
  service_start
done
wait "$load_pid" || fail "publish_load.py exited non-zero: $(cat "$work/load.out")"
load_pid=
# A last kill once the load is over, so that the final state is read from a killed server too.
service_kill
integrity "at the end"

read -r acks lost others elapsed rate < <(tail -1 "$work/load.out")
echo "load: $acks acknowledged, $lost lost to kills, $others other answers, $rate acks/s"
grep '^status' "$work/acks.log" | sort | uniq -c || true
[ "$acks" -ge 100 ] || fail "only $acks PUBLISHes acknowledged: the test means little"
[ "$lost" -ge 1 ] || fail "no PUBLISH was in flight at any kill"

# Every acknowledged etag is there.
sqlite3 "$db" "SELECT etag FROM credentials WHERE aor = 'sip:alice@example.com';" | sort > "$work/stored"
grep '^ack ' "$work/acks.log" | cut -d' ' -f2 | sort > "$work/acked"
missing=$(comm -23 "$work/acked" "$work/stored" | wc -l)
[ "$missing" -eq 0 ] || fail "$missing acknowledged etags are not stored: $(comm -23 "$work/acked" "$work/stored" | head -3)"
[ "$(uniq -d "$work/acked" | wc -l)" -eq 0 ] || fail "an etag was acknowledged twice"
# Nothing else changed.
unacked=$(comm -13 "$work/acked" "$work/stored" | wc -l)
echo "stored rows: $(wc -l < "$work/stored"), acknowledged $(wc -l < "$work/acked"), stored but unacknowledged $unacked (answers lost: $lost)"
[ "$unacked" -le "$lost" ] || fail "$unacked stored rows nobody acknowledged, but only $lost answers were lost"
other_aor=$(sqlite3 "$db" "SELECT count(*) FROM credentials WHERE aor <> 'sip:alice@example.com';")
[ "$other_aor" -eq 0 ] || fail "$other_aor rows for other AORs"
live=$(sqlite3 "$db" "SELECT count(*) FROM credentials WHERE replaced IS NULL AND revoked IS NULL;")
[ "$live" -eq 1 ] || fail "$live live rows for the AOR (want 1)"
sqlite3 "$db" "SELECT substr(detail, 6, instr(detail, ' ') - 6) FROM audit WHERE action = 'publish';" \
  | sort > "$work/audited"
cmp -s "$work/audited" "$work/stored" || fail "credentials and their publish audit entries differ: $(diff "$work/audited" "$work/stored" | head -4)"
users_after=$(sqlite3 "$db" "SELECT realm, username, aor, disabled FROM users ORDER BY 1, 2;
  SELECT realm, username, algorithm, hex FROM user_ha1 ORDER BY 1, 2, 3;")
[ "$users_before" = "$users_after" ] || fail "the users tables changed"

echo "$kills kills, $failures failures"
[ $failures -eq 0 ]
