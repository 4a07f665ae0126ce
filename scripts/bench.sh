#!/usr/bin/env bash
# Builds the release preset and runs the benchmarks whose figures BENCHMARKS.md records.
#   scripts/bench.sh [google-benchmark flags...]   e.g. --benchmark_filter=Parse
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build build/release -j"$(nproc)"
# One core each, so figures are per core (the issues state their targets per core).
for b in build/release/bench/*_bench; do
  echo "== $(basename "$b")"
  taskset -c 0 "$b" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true "$@"
done
# The SIP load run against Kamailio (bench/sip_load.sh, about 3 minutes): only when asked.
if [ "${SIPCRED_BENCH_LOAD:-0}" = 1 ]; then
  echo "== sip_load"
  bash bench/sip_load.sh build/release/sipcred
fi
