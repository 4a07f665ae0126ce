#!/usr/bin/env bash
# Builds the release preset and runs the benchmarks whose figures BENCHMARKS.md records.
#   scripts/bench.sh [google-benchmark flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build build/release -j"$(nproc)" --target sip_parse_bench
# One core, so the figure is per core (issue 2's target is stated per core).
taskset -c 0 ./build/release/bench/sip_parse_bench --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true "$@"
