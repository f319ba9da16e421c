#!/usr/bin/env bash
# Installs the front end's npm packages (from the lock file) and builds web/dist.
set -euo pipefail
# shellcheck source=node-env.sh
source "$(dirname "$0")/node-env.sh"
cd "$(dirname "$0")/../web"
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "build-web: installing the front end's npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "build-web: building web/dist"
npm run build --silent
