#!/usr/bin/env bash
# Instructions per call, counted by Valgrind's callgrind: a figure that does not depend on how
# busy the machine is, for comparing two builds when timings are too noisy to trust.
#
#   scripts/bench-instructions.sh BINARY [RATE] [SECONDS]
#
# Starts BINARY under callgrind (SQLite in a temp dir, admission control off), runs the
# socketio-ref load generator at RATE calls/s (default 1: the server runs about 50 times slower
# under Valgrind), and counts instructions only for SECONDS (default 30) once all 1,050 sockets
# are connected. Prints calls finished, WebSocket frames and HTTP requests per call, and
# instructions per call (which include the server's per-second background work, so compare
# builds at the same rate). Build BINARY with -DCMAKE_BUILD_TYPE=RelWithDebInfo to read the
# profile it leaves with callgrind_annotate. Figures are printed, never asserted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$(realpath "${1:?binary}")"
rate="${2:-1}"
seconds="${3:-30}"
ref="$root/build-bench/socketio-ref"
if [[ ! -d "$ref/node_modules" ]]; then
  mkdir -p "$root/build-bench"
  rm -rf "$ref" && cp -r "$root/../shared/socketio-ref" "$ref" && chmod -R u+w "$ref"
  (cd "$ref" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
command -v valgrind >/dev/null || { echo "bench-instructions: install valgrind" >&2; exit 2; }
ulimit -n 20000
dir="$(mktemp -d)"
port="${PORT:-3198}"
out="$dir/callgrind.out"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
  "$bin" --listen "127.0.0.1:$port" --db "sqlite:$dir/sb.db" --jwt-secret bench-secret \
  --rate-user 1000000/s --rate-ip 1000000/s --ws-rate 1000000/s --admission-lag 0ms \
  --max-connections 100000 --max-connections-per-ip 100000 --log-format text >"$dir/server.log" 2>&1 &
server=$!
generator=""
cleanup() {
  [[ -n "$generator" ]] && kill "$generator" 2>/dev/null
  kill "$server" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
(cd "$ref" && node loadgen.js --protocol switchboard --url "http://127.0.0.1:$port" \
  --jwt-secret bench-secret --mode fixed --rate "$rate" --duration $((seconds + 60)) --warmup 0 \
  --connect-timeout-ms 60000 >"$dir/run.json" 2>/dev/null) &
generator=$!
metric() {  # the sum of a metric's samples
  curl -sf --retry 5 --retry-all-errors --max-time 20 "http://127.0.0.1:$port/metrics" |
    awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {printf "%d\n", s}'
}
for _ in $(seq 120); do (($(metric switchboard_ws_connections) >= 1050)) && break; sleep 1; done
sleep 5
calls0=$(metric switchboard_calls_finished_total)
frames0=$(metric switchboard_ws_frames_sent_total)
http0=$(metric switchboard_http_requests_total)
callgrind_control -i on "$server" >/dev/null
sleep "$seconds"
callgrind_control -i off "$server" >/dev/null
calls=$(($(metric switchboard_calls_finished_total) - calls0))
frames=$(($(metric switchboard_ws_frames_sent_total) - frames0))
http=$(($(metric switchboard_http_requests_total) - http0))
callgrind_control -d "$server" >/dev/null
sleep 1
ir=$(callgrind_annotate "$out".1 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
wait "$generator" || true
generator=""
((calls > 0)) || { echo "bench-instructions: no call finished in the window" >&2; exit 1; }
errors=$(node -e 'const f = require(process.argv[1]).fixed; console.log(f.errors_total, JSON.stringify(f.errors))' "$dir/run.json")
echo "bench-instructions: $(date -u +%Y-%m-%dT%H:%MZ), $(basename "$bin") at $rate calls/s for $seconds s"
echo "calls $calls  ws frames/call $((frames / calls))  http requests/call $(awk -v h="$http" -v c="$calls" 'BEGIN {printf "%.1f", h / c}')  instructions/call $((ir / calls))  generator errors $errors"
[[ -n "${KEEP:-}" ]] && cp "$out".1 "$KEEP" && echo "profile kept in $KEEP"
exit 0
