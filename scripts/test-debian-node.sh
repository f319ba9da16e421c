#!/usr/bin/env bash
# Proves the web toolchain works on stock Debian 12, whose nodejs is 18, even on a machine that
# has a newer Node: Debian's own nodejs package is extracted (apt-get download + dpkg -x) and
# put first on PATH, then the front end is built and its unit tests run the way make does.
# node-env.sh must notice the old Node and switch to the pinned one.
set -euo pipefail
cd "$(dirname "$0")/.."

root=".tools/debian-nodejs"
if [[ ! -x "$root/usr/bin/node" ]]; then
  version="$(apt-cache policy nodejs | grep -oE '18\.[0-9.]+\+dfsg[^ ]*' | head -1)"
  [[ -n "$version" ]] || { echo "no Debian nodejs 18 in the apt sources" >&2; exit 1; }
  tmp="$(mktemp -d)"
  (cd "$tmp" && apt-get download -q "nodejs=$version" "libnode108=$version" 2>/dev/null)
  mkdir -p "$root"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$root"; done
  rm -rf "$tmp"
fi
# libnode108 loads its JavaScript dependencies from /usr/share/nodejs: install those (small,
# and what a stock Debian 12 has with its nodejs).
need=()
for p in node-acorn node-cjs-module-lexer node-undici; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export PATH="$PWD/$root/usr/bin:$PATH"
export LD_LIBRARY_PATH="$PWD/$root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
debian_node="$(node --version)"
echo "Debian's node first on PATH: $debian_node"
[[ "$debian_node" == v18.* ]] || { echo "expected Debian's Node 18" >&2; exit 1; }

# shellcheck source=node-env.sh
source scripts/node-env.sh
used="$(node --version)"
echo "web toolchain runs on: $used ($(command -v node))"
[[ "$used" == "v$SB_NODE_VERSION" ]] || { echo "node-env did not switch to the pinned Node" >&2; exit 1; }
scripts/build-web.sh
(cd web && npx vitest run packages/client/src/call 2>&1 | tail -4)
echo "debian node check: 1 passed, 0 failed"
