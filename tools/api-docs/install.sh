#!/usr/bin/env bash
# Installs this folder's npm packages (Redocly CLI, the AsyncAPI parser, ajv) from its own
# lockfile, only when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
