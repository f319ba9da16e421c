#!/usr/bin/env bash
# The chaos run (issue 10, docs/faults.md): steady load against two nodes on PostgreSQL + Redis
# with a webhook receiver while faults are injected at random moments (kill -9 of a node and its
# restart, PostgreSQL paused 5 s or restarted, Redis paused 5 s or killed and restarted), then
# one node on SQLite on a small tmpfs whose disk is filled and freed (root only). At the end it
# checks the invariants from the database, the answers the clients got and the webhook receiver
# (no call accepted twice, none stuck ringing past its deadline, every committed call present,
# every call in a terminal state, no staff member in an impossible state, no webhook event
# missing or out of order, memory bounded), prints a table per phase and a closing line
# "N passed, N failed".
# Usage: scripts/chaos.sh [seconds]   (default 600; CHAOS_RATE calls/s, default 4;
#        CHAOS_SEED repeats a run's choice of faults). Uses build/switchboard (make server).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-${DURATION:-600}}"
bin="${SWITCHBOARD_BIN:-build/switchboard}"
if [[ ! -x "$bin" ]]; then
  echo "chaos: $bin is missing; build it with 'make server'" >&2
  exit 2
fi
# shellcheck source=node-env.sh
source scripts/node-env.sh
if [[ ! -d tests/blackbox/node_modules ]]; then
  (cd tests/blackbox && npm ci --no-audit --no-fund --loglevel=error)
fi
ulimit -n 20000 2>/dev/null || true
CHAOS_DURATION="$seconds" exec node tests/blackbox/chaos/run.mjs
