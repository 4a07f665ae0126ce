#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`, clang-14 + ASan + UBSan) and runs each for the
# given number of seconds, growing its corpus in a scratch folder and merging new coverage back
# into tests/fuzz/corpus/<target>/ (which the unit tests replay).
#   scripts/fuzz.sh [SECONDS] [TARGET...]        default: 60 s, every target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=($(cd tests/fuzz/targets && ls *.cpp | sed "s/\.cpp$//"))

cmake --preset fuzz >/dev/null
cmake --build build/fuzz --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null

for t in "${targets[@]}"; do
  work=$(mktemp -d)
  cp tests/fuzz/corpus/"$t"/* "$work"/
  echo "== fuzz_$t for ${seconds}s"
  ./build/fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
    -print_final_stats=1 "$work" 2>&1 | grep -E "stat::number_of_executed_units|stat::new_units_added|ERROR|SUMMARY|Done" || true
  # Keep only inputs that add coverage to the committed corpus.
  ./build/fuzz/tests/fuzz/fuzz_"$t" -merge=1 tests/fuzz/corpus/"$t" "$work" 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files" || true
  rm -rf "$work"
done
