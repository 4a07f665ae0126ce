#!/usr/bin/env bash
# Installs every Debian package that sipcred's build, tests and benchmarks need.
# Idempotent and quick when everything is present: it only calls apt-get when a package is missing,
# and refreshes the package lists first when they are empty or a package cannot be found.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config g++ clang-14 libclang-rt-14-dev clang-format
  # libraries (each used behind one folder of src/, see docs/design.md)
  libssl-dev libboost-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libsqlite3-dev libc-ares-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev openssl python3 libcrypto++-dev
  sip-tester sipsak procps xxd sqlite3 kamailio dnsmasq-base nginx curl wrk
  kamailio-tls-modules kamailio-secsipid-modules secsipidx
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]} (run as root to install them)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Debian's kamailio/nginx packages would start services on install; nothing we install here should.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi

if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial -e auxfiles)" ] ||
   ! apt-get install -y --no-install-recommends --dry-run "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -q
fi
apt-get install -y -q --no-install-recommends "${missing[@]}"
