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
#   scripts/bench-soak.sh overload-continuous MAX the same schedule as one run on the same sockets
#                                                (bench/overload_scenario.mjs): per 5 s slice,
#                                                calls placed, refused, completed, setup p50/p99;
#                                                OVERLOAD_ARGS="--over-s 0" runs only the half rate,
#                                                for the p99 to expect after the drop
#   scripts/bench-soak.sh fixed RATE SECONDS     one run (the same figures)
#   scripts/bench-soak.sh ramp                   the generator's ramp (10 s steps from 50/s, x1.25,
#                                                then bisection): max sustainable calls/s, CPU per
#                                                call there, and why the first failing step failed
#   scripts/bench-soak.sh sweep RATE             one org of 5, 50 and 300 staff at RATE calls/s:
#                                                CPU, store operations and frames per call
#   scripts/bench-soak.sh queue [STAFF] [CALLERS] [HOLD_MS]
#                                                fewer staff than calls (default 20, 200, 3000;
#                                                callers arrive over 10 s): queue wait p50/p99,
#                                                estimate error p50/p90, queue timeouts
#                                                (bench/queue_scenario.mjs)
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
if [[ "$mode" != queue && ! -d "$ref/node_modules" ]]; then
  mkdir -p build-bench
  rm -rf "$ref" && cp -r ../shared/socketio-ref "$ref" && chmod -R u+w "$ref"
  (cd "$ref" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
ulimit -n 20000
dir="$(mktemp -d)"
port=3199
secret=bench-secret
pid=""
stop_server() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
}
start_server() {
  stop_server
  rm -f "$dir"/sb.db*
  taskset -c 0 "$bin" --listen 127.0.0.1:$port --db "${BENCH_DB:-sqlite:$dir/sb.db}" \
    --jwt-secret "$secret" --rate-user 1000000/s --rate-ip 1000000/s --ws-rate 1000000/s \
    --max-connections 100000 --max-connections-per-ip 100000 \
    --log-format text ${SB_ARGS:-} >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.2; done
  echo "bench-soak: the server did not become ready" >&2
  exit 1
}
trap 'stop_server; rm -rf "$dir"' EXIT

metric() {  # name: the sum of its samples
  curl -sf "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {print s + 0}'
}

# One loadgen run; prints a line of figures.
run() {  # rate seconds label [more loadgen options]
  local rate="$1" seconds="$2" label="$3"
  shift 3
  local out="$dir/run.json"
  local ops_before frames_before syncs_before
  ops_before=$(metric switchboard_store_operation_duration_seconds_count)
  syncs_before=$(metric switchboard_store_syncs_total)
  frames_before=$(metric switchboard_ws_frames_sent_total)
  (cd "$ref" && taskset -c 1 node --max-old-space-size=4096 loadgen.js --protocol switchboard \
    --url "http://127.0.0.1:$port" --jwt-secret "$secret" --mode fixed --rate "$rate" \
    --duration "$seconds" --warmup 0 --server-pid "$pid" "$@" >"$out" 2>/dev/null) || true
  local rss wal ops frames syncs
  ops=$(($(metric switchboard_store_operation_duration_seconds_count) - ops_before))
  syncs=$(($(metric switchboard_store_syncs_total) - syncs_before))
  frames=$(($(metric switchboard_ws_frames_sent_total) - frames_before))
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  wal=$(stat -c %s "$dir/sb.db-wal" 2>/dev/null || echo 0)
  node -e '
    const [file, label, rss, wal, ops, frames, syncs, seconds] = process.argv.slice(1);
    const f = require(file).fixed;
    const e = f.errors || {};
    const shed = e.create_unavailable || 0;
    console.log(`${label}  completed/s ${f.completed_per_s}  setup p50 ${f.setup_latency_ms.p50} ms p99 ${f.setup_latency_ms.p99} ms` +
      `  signal p99 ${f.signal_latency_ms.p99} ms  errors ${f.errors_total} (503: ${shed})` +
      `  cpu ${f.server.cpu_ms_per_call} ms/call  store ops/call ${(ops / (f.completed_per_s * seconds)).toFixed(1)}` +
      `  syncs/call ${(syncs / (f.completed_per_s * seconds)).toFixed(2)}` +
      `  ws frames/call ${(frames / (f.completed_per_s * seconds)).toFixed(1)}` +
      `  rss ${(rss / 1024).toFixed(1)} MiB  wal ${(wal / 2 ** 20).toFixed(1)} MiB` +
      (f.errors_total ? `  errors by kind ${JSON.stringify(e)}` : ""));
  ' "$out" "$label" "$rss" "$wal" "$ops" "$frames" "$syncs" "$seconds"
}

echo "bench-soak $mode: $(date -u +%Y-%m-%dT%H:%MZ), switchboard $(git rev-parse --short HEAD)"
# The queue scenario queues more calls than the default --max-queue of 100.
[[ "$mode" == queue ]] && SB_ARGS="--max-queue 1000 ${SB_ARGS:-}"
[[ "$mode" == sweep ]] || start_server
case "$mode" in
  soak)
    rate="${2:?rate}"; minutes="${3:-15}"
    for m in $(seq "$minutes"); do run "$rate" 60 "minute $m"; done ;;
  overload)
    max="${2:?max sustainable rate}"
    for s in 1 2 3 4 5 6; do run $((max * 2)) 5 "2x   slice $s"; done
    for s in 1 2 3 4 5 6; do run $((max / 2)) 5 "0.5x slice $s"; done ;;
  overload-continuous)
    # Each second: the server's CPU, its loop lag and commit wait at that moment, new calls
    # refused so far (what admission control sees).
    (
      last=0
      for s in $(seq 75); do
        sleep 1
        cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        curl -sf "http://127.0.0.1:$port/metrics" | awk -v s="$s" -v cpu=$((cpu - last)) '
          /^switchboard_load_seconds\{kind="loop_lag"\}/ {lag = $2 * 1000}
          /^switchboard_load_seconds\{kind="commit_wait"\}/ {wait = $2 * 1000}
          /^switchboard_calls_refused_total/ {refused += $2}
          END {printf "  server at %2d s: cpu %3d %%  loop lag %6.1f ms  commit wait %6.1f ms  refused so far %d\n", s, cpu, lag, wait, refused}'
        last=$cpu
      done
    ) >"$dir/samples.txt" &
    sampler=$!
    taskset -c 1 node bench/overload_scenario.mjs --url "http://127.0.0.1:$port" --secret "$secret" \
      --max "${2:?max sustainable rate}" ${OVERLOAD_ARGS:-} | grep -v '^{'
    kill "$sampler" 2>/dev/null || true
    cat "$dir/samples.txt" ;;
  fixed) run "${2:?rate}" "${3:-30}" "fixed $2/s" ;;
  ramp)
    (cd "$ref" && taskset -c 1 node --max-old-space-size=4096 loadgen.js --protocol switchboard \
      --url "http://127.0.0.1:$port" --jwt-secret "$secret" --mode ramp --server-pid "$pid" \
      >"$dir/ramp.json" 2>/dev/null) || true
    node -e '
      const r = require(process.argv[1]).ramp;
      const b = r.best;
      console.log(`ramp  max sustainable ${r.max_sustainable_calls_per_s} calls/s` +
        (b ? `  (setup p99 ${b.setup_latency_ms.p99} ms, cpu ${b.server.cpu_ms_per_call} ms/call)` : "") +
        `  first failing step ${r.first_failing_rate}/s, server core saturated: ${r.cpu_saturated_at_first_failure}`);
      for (const s of r.steps_full) {
        console.log(`  step ${s.target_rate}/s  completed ${s.completed_per_s}  setup p99 ${s.setup_latency_ms.p99} ms` +
          `  errors ${s.errors_total}${s.errors_total ? " " + JSON.stringify(s.errors) : ""}` +
          `  cpu ${s.server.cpu_ms_per_call} ms/call  ${s.fail.length ? "FAIL " + s.fail.join(",") : "pass"}`);
      }
    ' "$dir/ramp.json" ;;
  sweep)
    # One org, ring-all, every staff member races to accept each call; a fresh server per size.
    rate="${2:-10}"
    for staff in 5 50 300; do
      start_server
      run "$rate" 20 "$staff staff" --orgs 1 --staff-per-org "$staff" --clients 200
    done ;;
  queue)
    [[ -d tests/blackbox/node_modules ]] || (cd tests/blackbox && npm ci --no-audit --no-fund --loglevel=error)
    node bench/queue_scenario.mjs --url "http://127.0.0.1:$port" --secret "$secret" \
      --staff "${2:-20}" --callers "${3:-200}" --hold-ms "${4:-3000}"
    curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^switchboard_queue_wait_seconds_(sum|count)' ;;
  *) echo "bench-soak: soak, overload, fixed, sweep or queue" >&2; exit 2 ;;
esac
