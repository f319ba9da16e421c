#!/usr/bin/env bash
# The network lab (tests/netlab, docs/netlab.md) as a test layer: installs what it needs from
# Debian (idempotent: present packages are skipped), builds the server and the front end if they
# are missing, runs every matrix row (or the rows named) and ends with "N passed, N failed".
# Needs root and network namespaces: without them it says so in one line and fails.
# Usage: scripts/test-netlab.sh [row ...]
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(nftables iptables iproute2 iputils-ping coturn chromium firefox-esr socat openssl curl gcc
  libc6-dev libnetfilter-queue-dev python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test-netlab: needs root (to install ${missing[*]} and to build namespaces): FAILED"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "test-netlab: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts the coturn it installs; the lab runs its own inside a namespace.
  (systemctl stop coturn || service coturn stop) >/dev/null 2>&1 || true
fi

# shellcheck source=scripts/node-env.sh
source scripts/node-env.sh
[[ -x build/switchboard ]] || make --no-print-directory server
[[ -f web/dist/index.html && -d web/node_modules ]] || scripts/build-web.sh
# The lab's own npm package (puppeteer-core, for Firefox), from its lock file.
if [[ ! -d tests/netlab/node_modules ]] ||
  [[ tests/netlab/package-lock.json -nt tests/netlab/node_modules/.package-lock.json ]]; then
  (cd tests/netlab && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

if ! tests/netlab/lab.sh "$@"; then
  # lab.sh printed its own "N passed, N failed" unless it could not start the lab at all.
  exit 1
fi
