#!/usr/bin/env bash
# Black-box tests: start the real build/switchboard binary and talk to it over HTTP and WebSocket
# (tests/blackbox, Node's built-in test runner with the npm package ws).
# Assumes build/switchboard exists (make server). Exits with the test runner's status; the spec
# reporter ends with "# pass N" / "# fail N" lines.
# Usage: scripts/test-blackbox.sh [test files...]   (default: the whole tests/blackbox/ directory)
#   SWITCHBOARD_BIN=/path/to/switchboard overrides the binary.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${SWITCHBOARD_BIN:-build/switchboard}"
if [[ ! -x "$bin" ]]; then
  echo "test-blackbox: $bin is missing; build it with 'make server'" >&2
  exit 2
fi
# shellcheck source=node-env.sh
source scripts/node-env.sh
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "test-blackbox: $tool is not installed" >&2; exit 2; }
done

if [[ ! -d tests/blackbox/node_modules ]]; then
  (cd tests/blackbox && npm ci --no-audit --no-fund --loglevel=error)
fi
# ajv and yaml for 21-openapi.test.mjs come from tools/api-docs (its own lockfile).
tools/api-docs/install.sh

if (($# > 0)); then
  targets=("$@")
else
  targets=(tests/blackbox/)
fi

# One file at a time: every file starts its own servers, and the machine has 2 cores.
# Humans read the spec reporter on stdout; a TAP copy gives the "# pass N" / "# fail N" lines.
tap="$(mktemp -t sb-blackbox-XXXXXX.tap)"
trap 'rm -f "$tap"' EXIT
set +e
node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${targets[@]}"
rc=$?
set -e
echo
grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$tap" | tail -n 8 || true
exit "$rc"
