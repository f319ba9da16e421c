#!/usr/bin/env bash
# Installs everything Switchboard needs to build, run and test, from Debian 12 packages.
# Idempotent: packages already present are skipped, so a second run costs a second.
# Usage: scripts/install-deps.sh [build|test]   (build: compile and run; test: also test services)
set -euo pipefail

mode="${1:-build}"

build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libssl-dev libjwt-dev libpq-dev libhiredis-dev prometheus-cpp-dev
  libjemalloc-dev nodejs npm
)
test_pkgs=(
  libgtest-dev libgmock-dev libbenchmark-dev clang-format clang libclang-rt-14-dev
  postgresql redis-server coturn chromium prometheus jq iproute2 python3 sqlite3
  debhelper lintian fakeroot
  nginx
)

pkgs=("${build_pkgs[@]}")
if [[ "$mode" == "test" ]]; then pkgs+=("${test_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# npm may be provided by the machine outside dpkg (a newer npm in /usr/bin): skip the Debian ones then.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${#missing[@]} Debian packages (the first run takes a few minutes):"
  echo "  ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # One line per package as it is set up, so a long first install is visibly moving.
  # (pipefail: the pipeline fails exactly when apt-get does.)
  apt-get install -y -q --no-install-recommends "${missing[@]}" |
    { grep --line-buffered -E '^Setting up ' | sed -u 's/^/  /'; true; }
  # Debian starts the services it installs; the tests start their own on loopback.
  for svc in redis-server coturn postgresql prometheus nginx; do
    (systemctl stop "$svc" 2>/dev/null || service "$svc" stop 2>/dev/null) >/dev/null 2>&1 || true
  done
else
  echo "install-deps: all ${#pkgs[@]} packages present"
fi
