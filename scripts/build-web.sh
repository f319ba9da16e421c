#!/usr/bin/env bash
# Installs the front end's npm packages (from the lock file) and builds web/dist.
set -euo pipefail
# shellcheck source=node-env.sh
source "$(dirname "$0")/node-env.sh"
cd "$(dirname "$0")/../web"
# The e2e suite drives Debian's chromium: no npm package may download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "build-web: installing the front end's npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "build-web: building web/dist"
npm run build --silent
