#!/usr/bin/env bash
# Every test layer, in the order that fails fastest: unit tests under ASan/UBSan, the black-box
# suite against the real binary, then the front end (Vitest, lint, the SDK packages installed
# from their tarballs, two-browser e2e).
# Prints one closing line: "N passed, N failed" counting layers.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failed_layers=()

layer() {
  local name="$1"
  shift
  echo
  echo "=== ${name} ==="
  local started=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "=== ${name}: ok ($((SECONDS - started)) s) ==="
  else
    failed=$((failed + 1))
    failed_layers+=("$name")
    echo "=== ${name}: FAILED ($((SECONDS - started)) s) ==="
  fi
}

layer "build (server release + web)" make --no-print-directory build
layer "format check" scripts/check-format.sh
layer "layering check" scripts/check-layers.py
layer "api docs lint" tools/api-docs/lint.sh
layer "nginx config (nginx -t)" scripts/check-nginx.sh
layer "unit tests (ASan/UBSan)" make --no-print-directory test-unit
layer "black-box tests (real binary)" scripts/test-blackbox.sh
layer "fuzzing (libFuzzer, 60 s)" scripts/fuzz.sh 60
layer "chaos (2 min: faults under load, then the invariants)" scripts/chaos.sh 120
layer "Debian package (build, lintian, unit)" scripts/test-package.sh
if [[ -f web/package.json ]]; then
  # shellcheck source=node-env.sh
  source scripts/node-env.sh
  layer "web toolchain on Debian's Node 18 (pinned Node fetched)" scripts/test-debian-node.sh
  layer "web unit tests (vitest)" bash -c 'cd web && npm test --silent'
  layer "web lint" bash -c 'cd web && npm run lint --silent'
  layer "web SDK packages (npm pack, scratch app, a call from another origin)" \
    bash -c 'cd web && npm run test:pack --silent'
  layer "web e2e (two Chromium peers)" bash -c 'cd web && npm run e2e --silent'
  layer "network lab (namespaces, NAT, TURN, Chromium per home)" scripts/test-netlab.sh
fi

echo
if ((failed > 0)); then
  echo "failed layers: ${failed_layers[*]}"
fi
echo "layers: ${passed} passed, ${failed} failed"
((failed == 0))
