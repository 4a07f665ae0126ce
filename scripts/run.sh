#!/usr/bin/env bash
# The README's run command: installs what the build needs, builds the release binary and starts
# `sipcred serve --dev` (a self-signed TLS identity for `localhost` unless one is configured;
# extra arguments are passed to it, e.g. --sip-listen 0.0.0.0:5060).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build build/release -j"$(nproc)" --target sipcred
# glibc's heap on transparent huge pages: each SUBSCRIBE/NOTIFY exchange touches fresh heap, and
# the page faults were a third of its cost (BENCHMARKS.md, "SIP Identity"). Other tunables kept.
export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
exec ./build/release/sipcred serve --dev --data-dir "${SIPCRED_DATA_DIR:-data}" "$@"
