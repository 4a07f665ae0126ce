#!/usr/bin/env bash
# Keeps each dependency behind its folder (STYLE.md §3) and the formatting uniform (§7).
# Fails on: a clock read outside src/net/ (and core/clock.cpp, the one SystemClock); an OpenSSL
# include outside src/crypto/; an Asio or Beast include outside src/net/; SQL text outside
# src/store/; any file clang-format 14 would change.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

violations() {  # description, grep -E pattern, allowed path regex
  local what=$1 pattern=$2 allowed=$3
  local hits
  hits=$(grep -rnE "$pattern" src --include='*.cpp' --include='*.hpp' | grep -vE "^($allowed)" || true)
  if [ -n "$hits" ]; then
    echo "lint: $what outside its home folder:"
    echo "$hits"
    status=1
  fi
}

violations "clock read" \
  '(system_clock|steady_clock|high_resolution_clock)::now|[^_a-z]time\(nullptr\)|gettimeofday|clock_gettime' \
  'src/net/|src/core/clock.cpp'
violations "OpenSSL include" '#include <openssl/' 'src/crypto/'
violations "Asio/Beast include" '#include <boost/(asio|beast)' 'src/net/'
violations "c-ares include" '#include <ares' 'src/net/dns/'
violations "SQL text" '"[^"]*\b(SELECT|INSERT INTO|DELETE FROM|CREATE TABLE|UPDATE [a-z_]+ SET)\b' 'src/store/'

files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests bench -name '*.cpp' -o -name '*.hpp')
unformatted=$(for f in $files; do clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || echo "  $f"; done)
if [ -n "$unformatted" ]; then
  echo "lint: clang-format 14 would change (run: clang-format -i \$(git ls-files '*.cpp' '*.hpp')):"
  echo "$unformatted"
  status=1
fi
[ $status -eq 0 ] && echo "lint: ok"
exit $status
