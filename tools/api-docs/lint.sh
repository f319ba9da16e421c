#!/usr/bin/env bash
# Lints the API descriptions: docs/openapi.yaml with Redocly CLI (recommended-strict rules,
# redocly.yaml) and docs/asyncapi.yaml with the AsyncAPI parser (validate-asyncapi.mjs), and
# checks that the repository cites the project's documents by headings that exist
# (check-doc-refs.mjs).
# Prints one closing line: "api docs lint: N passed, N failed".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
docs="$here/../../docs"

# Redocly CLI needs Node 20.19 or later: the project's pinned one when the machine's is older.
if [[ -f "$here/../../scripts/node-env.sh" ]]; then
  # shellcheck source=../../scripts/node-env.sh
  source "$here/../../scripts/node-env.sh" || { echo "api docs lint: 0 passed, 3 failed"; exit 1; }
fi

"$here/install.sh" || { echo "api docs lint: 0 passed, 3 failed"; exit 1; }

# No telemetry or update check from the CLI: lint runs offline but for the registry.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

passed=0
failed=0
check() {
  local name="$1"
  shift
  echo "--- ${name}"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "--- ${name}: FAILED"
  fi
}

check "openapi.yaml (redocly lint)" \
  "$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" "$docs/openapi.yaml"
check "asyncapi.yaml (asyncapi parser)" \
  node "$here/validate-asyncapi.mjs" "$docs/asyncapi.yaml"
check "doc references (check-doc-refs.mjs)" \
  node "$here/check-doc-refs.mjs" "$here/../.."

echo "api docs lint: ${passed} passed, ${failed} failed"
((failed == 0))
