#!/usr/bin/env bash
# The README's test command: installs what the tests need, checks lint and formatting, builds
# under ASan + UBSan, and runs every test (unit, fuzz corpus replay, integration with SIPp and
# sipsak) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/lint.sh
python3 scripts/gen_compliance.py --check
cmake --preset asan-ubsan >/dev/null
cmake --build build/asan-ubsan -j"$(nproc)"
ctest --preset asan-ubsan -j"$(nproc)"
