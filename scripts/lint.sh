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
violations "SQL text" '"[^"]*\b(SELECT|INSERT INTO|DELETE FROM|CREATE TABLE|UPDATE [a-z_]+ SET)\b' 'src/store/'

files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests bench -name '*.cpp' -o -name '*.hpp')
if ! clang-format --dry-run -Werror $files 2>/tmp/clang-format.out; then
  echo "lint: clang-format would change these (run: clang-format -i \$(git ls-files '*.cpp' '*.hpp')):"
  grep -E "^[^ ].*: (error|warning)" /tmp/clang-format.out | cut -d: -f1 | sort -u
  status=1
fi
[ $status -eq 0 ] && echo "lint: ok"
exit $status
