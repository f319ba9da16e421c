#!/usr/bin/env bash
# Soak and overload runs of the Switchboard server with the load generator of
# ../shared/socketio-ref (a copy in build-bench/socketio-ref, made by scripts/bench-compare.sh
# or here). One server for the whole run, pinned to core 0, the generator on core 1.
#
#   scripts/bench-soak.sh soak RATE MINUTES      one fixed-rate run per minute, back to back;
#                                                after each: completed/s, setup p50/p99, server
#                                                RSS and the SQLite WAL's size
#   scripts/bench-soak.sh overload MAX           30 s at 2 x MAX, then 30 s at MAX / 2, in 5 s
#                                                slices: completed/s, 503s, setup p99 per slice
#   scripts/bench-soak.sh fixed RATE SECONDS     one run (the same figures)
# BENCH_DB=postgres://... uses that database instead of a fresh SQLite file; for a throwaway
# PostgreSQL: scripts/with-postgres.sh bash -c 'BENCH_DB=$SB_TEST_POSTGRES_URL scripts/bench-soak.sh fixed 100 30'
# Each slice is its own generator run (it connects its 1,050 sockets again and lets the calls
# in flight finish), so the overload slices are not one continuous load; the store operations
# counted include each run's connects and disconnects.
# Figures are printed with the date, never asserted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mode="${1:?soak or overload}"
bin="$(realpath "${SB_BIN:-build/switchboard}")"
ref="build-bench/socketio-ref"
if [[ ! -d "$ref/node_modules" ]]; then
  mkdir -p build-bench
  rm -rf "$ref" && cp -r ../shared/socketio-ref "$ref" && chmod -R u+w "$ref"
  (cd "$ref" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
ulimit -n 20000
dir="$(mktemp -d)"
port=3199
secret=bench-secret
taskset -c 0 "$bin" --listen 127.0.0.1:$port --db "${BENCH_DB:-sqlite:$dir/sb.db}" --jwt-secret "$secret" \
  --rate-user 1000000/s --rate-ip 1000000/s --ws-rate 1000000/s --log-format text \
  ${SB_ARGS:-} >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done

store_ops() {
  curl -sf "http://127.0.0.1:$port/metrics" | awk '/^switchboard_store_operation_seconds_count/ {print $2}'
}

# One loadgen run; prints a line of figures.
run() {  # rate seconds label
  local out="$dir/run.json"
  local ops_before
  ops_before=$(store_ops)
  (cd "$ref" && taskset -c 1 node --max-old-space-size=4096 loadgen.js --protocol switchboard \
    --url "http://127.0.0.1:$port" --jwt-secret "$secret" --mode fixed --rate "$1" \
    --duration "$2" --warmup 0 --server-pid "$pid" >"$out" 2>/dev/null) || true
  local rss wal ops
  ops=$(( $(store_ops) - ops_before ))
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  wal=$(stat -c %s "$dir/sb.db-wal" 2>/dev/null || echo 0)
  node -e '
    const [file, label, rss, wal, ops, seconds] = process.argv.slice(1);
    const f = require(file).fixed;
    const e = f.errors || {};
    const shed = e.create_unavailable || 0;
    console.log(`${label}  completed/s ${f.completed_per_s}  setup p50 ${f.setup_latency_ms.p50} ms p99 ${f.setup_latency_ms.p99} ms` +
      `  signal p99 ${f.signal_latency_ms.p99} ms  errors ${f.errors_total} (503: ${shed})` +
      `  cpu ${f.server.cpu_ms_per_call} ms/call  store ops/call ${(ops / (f.completed_per_s * seconds)).toFixed(1)}` +
      `  rss ${(rss / 1024).toFixed(1)} MiB  wal ${(wal / 2 ** 20).toFixed(1)} MiB`);
  ' "$out" "$3" "$rss" "$wal" "$ops" "$2"
}

echo "bench-soak $mode: $(date -u +%Y-%m-%dT%H:%MZ), switchboard $(git rev-parse --short HEAD)"
case "$mode" in
  soak)
    rate="${2:?rate}"; minutes="${3:-15}"
    for m in $(seq "$minutes"); do run "$rate" 60 "minute $m"; done ;;
  overload)
    max="${2:?max sustainable rate}"
    for s in 1 2 3 4 5 6; do run $((max * 2)) 5 "2x   slice $s"; done
    for s in 1 2 3 4 5 6; do run $((max / 2)) 5 "0.5x slice $s"; done ;;
  fixed) run "${2:?rate}" "${3:-30}" "fixed $2/s" ;;
  *) echo "bench-soak: soak, overload or fixed" >&2; exit 2 ;;
esac
