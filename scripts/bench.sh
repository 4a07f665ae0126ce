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
  [ "$(basename "$b")" = service_credential_bench ] && continue  # minutes; below
  echo "== $(basename "$b")"
  taskset -c 0 "$b" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true "$@"
done
# The SIP load run against Kamailio (bench/sip_load.sh, about 3 minutes): only when asked.
if [ "${SIPCRED_BENCH_LOAD:-0}" = 1 ]; then
  echo "== sip_load"
  bash bench/sip_load.sh build/release/sipcred
fi
# SIP Identity signing load (issue 7, bench/identity_load.sh, about 6 minutes): only when asked.
if [ "${SIPCRED_BENCH_IDENTITY:-0}" = 1 ]; then
  echo "== identity_load"
  IDL_SIGN_CPUS="0 0,1" IDL_MALLOC_THP="0 1" bash bench/identity_load.sh build/release/sipcred \
    bench/identity/rsa-sha1.toml bench/identity/es256.toml bench/identity/es256-io.toml
fi
# The credential service (issue 5): in-process benchmarks and whole-server runs with SIPp and
# Python TLS clients, several minutes; only with SIPCRED_BENCH_SERVICE=1.
if [ "${SIPCRED_BENCH_SERVICE:-0}" = 1 ]; then
  build/release/bench/service_credential_bench --benchmark_filter='DurablePublish|FanOut|ExpireAll'
  for n in 100000 1000000; do
    build/release/bench/service_credential_bench --benchmark_filter="SubscriptionMemory/$n/" \
      --benchmark_counters_tabular=true
  done
  bash bench/service_sipp.sh build/release/sipcred "1000 2000 3000 4000" 10
  bash bench/service_publish.sh build/release/sipcred 16 64 -- 10
  bash bench/service_fanout.sh build/release/sipcred 10000
fi
