#!/usr/bin/env bash
# Side by side with the Socket.IO reference (../shared/socketio-ref), as its README says: one
# run alternating both servers, same load generator, server on core 0 and generator on core 1.
# Works on a copy in build-bench/, since shared/ is read-only. Prints the summary's side-by-side
# table; the whole results folder stays in build-bench/socketio-ref/results/.
#
# Usage: scripts/bench-compare.sh            (fixed 100 and 400/s, the ramp, idle 10,000; 1 run each)
# Environment: RUNS (1), ONLY ("fixed ramp idle"), IDLE_SIZES (10000), FIXED_RATES ("100 400"),
#   QUIET_MAX_WAIT (120), SB_BIN (build/switchboard), SB_ARGS (more server flags).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ref="${SOCKETIO_REF:-$root/../shared/socketio-ref}"
[[ -d "$ref" ]] || { echo "bench-compare: $ref not found" >&2; exit 2; }
bin="$(realpath "${SB_BIN:-build/switchboard}")"
[[ -x "$bin" ]] || { echo "bench-compare: $bin missing; run 'make server'" >&2; exit 2; }

mkdir -p build-bench
rm -rf build-bench/socketio-ref
cp -r "$ref" build-bench/socketio-ref
chmod -R u+w build-bench/socketio-ref
rm -rf build-bench/socketio-ref/results
(cd build-bench/socketio-ref && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

echo "bench-compare: $(date -u +%Y-%m-%dT%H:%MZ), switchboard $(git rev-parse --short HEAD), $bin"
cd build-bench/socketio-ref
COMPARE=1 SB_BIN="$bin" RUNS="${RUNS:-1}" ONLY="${ONLY:-fixed ramp idle}" \
  IDLE_SIZES="${IDLE_SIZES:-10000}" FIXED_RATES="${FIXED_RATES:-100 400}" \
  QUIET_MAX_WAIT="${QUIET_MAX_WAIT:-120}" SB_ARGS="${SB_ARGS:-}" bash run-bench.sh
latest="$(ls -td results/*/ | head -1)"
echo "bench-compare: results in build-bench/socketio-ref/$latest"
sed -n '/Side by side/,$p' "$latest/summary.md"
