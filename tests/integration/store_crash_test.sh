#!/usr/bin/env bash
# Durability of the store under kill -9 (issue 5, "a kill -9 at any moment loses no acknowledged
# change and leaves no half-written state"): store_crash_writer keeps 64 changes in flight and
# prints each acknowledgement from its commit callback; it is killed with SIGKILL at a random
# moment, RUNS times, on the same database. After every kill the sqlite3 CLI (not our code)
# checks the file: integrity_check is ok, every acknowledged change is there, no certificate
# was invented, no AOR has two live states, and every state has the audit entry written in its
# transaction. Finally our code opens the database and reads every AOR.
#   store_crash_test.sh PATH_TO_store_crash_writer [RUNS]
set -euo pipefail
writer=$1
runs=${2:-8}
work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
db=$work/store.db

check() {  # description, SQL, expected output
  local got
  printf '%s\n' "$2" > "$work/check.sql"
  got=$(sqlite3 -batch "$db" < "$work/check.sql" 2>&1) || true
  if [ "$got" != "$3" ]; then
    echo "FAIL after run $run: $1: got '$got', expected '$3'"
    exit 1
  fi
}

total_acks=0
for run in $(seq 1 "$runs"); do
  out=$work/run$run.out
  "$writer" "$db" "$run" > "$out" 2> "$work/run$run.err" &
  pid=$!
  for _ in $(seq 1 100); do grep -q '^ready$' "$out" 2>/dev/null && break; sleep 0.05; done
  grep -q '^ready$' "$out" || { cat "$work/run$run.err"; echo "writer not ready"; exit 1; }
  # A random moment within 0.2–1.2 s of work: many commits, each a possible victim.
  sleep "0.$(( RANDOM % 10 + 2 ))"
  [ $(( RANDOM % 2 )) -eq 0 ] && sleep 0.$(( RANDOM % 10 ))
  kill -0 "$pid" 2>/dev/null || { cat "$work/run$run.err"; echo "writer died on its own"; exit 1; }
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  pid=

  # What was submitted (ever) and what this run saw acknowledged, as SQL for the CLI's temp
  # tables (a temp table lives outside the database file; the file is only read).
  cat "$work"/run*.out | awk '$1 == "sub" { print "INSERT INTO subs VALUES (\x27" $2 "\x27);" }' \
    > "$work/subs.sql"
  awk '$1 == "ack" { print "INSERT INTO acked VALUES (\x27" $2 "\x27, \x27" $3 "\x27, \x27" $4 "\x27);" }' \
    "$out" > "$work/acked.sql"
  acks=$(wc -l < "$work/acked.sql")
  total_acks=$(( total_acks + acks ))
  prelude="CREATE TEMP TABLE subs (tag TEXT PRIMARY KEY); CREATE TEMP TABLE acked (kind TEXT, etag TEXT, tag TEXT);
BEGIN; $(cat "$work/subs.sql" "$work/acked.sql") COMMIT;"

  check "integrity" "PRAGMA integrity_check;" "ok"
  check "acknowledged publishes stored with their certificate" "$prelude
    SELECT count(*) FROM acked a WHERE a.kind = 'publish' AND NOT EXISTS
      (SELECT 1 FROM credentials c WHERE c.etag = a.etag AND c.certificate = CAST(a.tag AS BLOB));" "0"
  check "acknowledged refreshes stored" "$prelude
    SELECT count(*) FROM acked a WHERE a.kind = 'refresh' AND NOT EXISTS
      (SELECT 1 FROM credentials c WHERE c.etag = a.etag);" "0"
  check "acknowledged revocations stored" "$prelude
    SELECT count(*) FROM acked a WHERE a.kind = 'revoke' AND a.etag != 'none' AND NOT EXISTS
      (SELECT 1 FROM credentials c WHERE c.etag = a.etag AND c.revoked IS NOT NULL);" "0"
  check "no certificate that was never submitted" "$prelude
    SELECT count(*) FROM credentials WHERE CAST(certificate AS TEXT) NOT IN (SELECT tag FROM subs);" "0"
  check "at most one live state per AOR" "SELECT count(*) FROM (SELECT aor FROM credentials
    WHERE replaced IS NULL AND revoked IS NULL GROUP BY aor HAVING count(*) > 1);" "0"
  # Publish and refresh entries begin "etag=ETAG ": the state and its entry, one for one. The
  # entries' etags go into an indexed temp table first: compared row by row the check grows with
  # the square of the changes, and a fast writer makes tens of thousands (minutes of sqlite3).
  audit_etags="CREATE TEMP TABLE audit_etags AS SELECT aor,
      substr(detail, 6, instr(detail, ' ') - 6) AS etag FROM audit
      WHERE action IN ('publish', 'refresh');
    CREATE INDEX temp.audit_etags_by_etag ON audit_etags (etag, aor);"
  check "every state has its audit entry" "$audit_etags SELECT count(*) FROM credentials c
    WHERE NOT EXISTS (SELECT 1 FROM audit_etags a WHERE a.etag = c.etag AND a.aor = c.aor);" "0"
  check "every publish/refresh audit entry has its state" "$audit_etags SELECT count(*)
    FROM audit_etags a WHERE NOT EXISTS (SELECT 1 FROM credentials c WHERE c.etag = a.etag);" "0"
  echo "ok   run $run: $acks acknowledged changes, all present"
done

"$writer" "$db" check > "$work/check.out" || { echo "FAIL: our code cannot open the database"; exit 1; }
[ "$(wc -l < "$work/check.out")" -eq 16 ] || { cat "$work/check.out"; echo "FAIL: check"; exit 1; }
[ "$total_acks" -gt $(( runs * 10 )) ] || { echo "FAIL: only $total_acks acknowledgements"; exit 1; }
echo "ok   $runs kills, $total_acks acknowledged changes, database $(du -h "$db" | cut -f1)"
