#!/usr/bin/env bash
# Load benchmarks against the real server binary (see bench/README.md).
#
# Builds the load generator (bench/, its own CMake project, into build-bench/), then for each
# scenario starts a fresh server pinned to core 0 on 127.0.0.1 with a fresh SQLite database,
# runs the generator pinned to core 1, and stops the server. Prints the generator's tables and
# collects its JSON lines into build-bench/results.jsonl. Figures are printed, never asserted.
#
# Usage: scripts/bench.sh [setup|relay|idle ...]     (default: all three)
# Environment:
#   SERVER=build/switchboard     server binary (a Release build: `make server`)
#   BENCH_QUICK=1                shorter runs (smoke test of the harness, figures rough)
#   SETUP_ARGS / RELAY_ARGS / IDLE_ARGS   extra generator options per scenario
#   BENCH_PRIORITY=-20           as root: run in a scheduler autogroup of its own at this nice
#                                level, so builds and browsers of other sessions on the same
#                                cores disturb the figures less; 0 turns it off
#   BENCH_FORCE_NODELAY=1        diagnostic: LD_PRELOAD bench/tools/nodelay_preload.c into the
#                                server so every accepted socket gets TCP_NODELAY
set -euo pipefail

# With autogroup scheduling (Linux's default), nice only ranks processes within a session, so the
# benchmark gets a session of its own and raises that session's weight. Other sessions keep
# their own nice values; the raised weight ends with the run.
priority="${BENCH_PRIORITY:--20}"
if [[ -z "${SB_BENCH_SESSION:-}" && "$priority" != 0 && "$(id -u)" == 0 &&
  -w /proc/self/autogroup ]] && command -v setsid >/dev/null; then
  export SB_BENCH_SESSION=1
  # Not a process group leader here, so setsid makes the new session in this very process and
  # $! names its process group: a signal to us is passed on to the whole run.
  setsid "$0" "$@" &
  child=$!
  trap 'kill -TERM -- "-$child" 2>/dev/null || true' INT TERM
  rc=0
  wait "$child" || rc=$?
  wait "$child" 2>/dev/null || true
  exit "$rc"
fi
if [[ -n "${SB_BENCH_SESSION:-}" ]]; then
  if echo "$priority" >/proc/self/autogroup 2>/dev/null; then
    echo "bench: own scheduler autogroup at nice $priority"
  fi
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
server_bin="${SERVER:-build/switchboard}"
bench_build="build-bench"
gen="$bench_build/sb_bench"
scenarios=("$@")
((${#scenarios[@]})) || scenarios=(setup relay idle)

if [[ ! -x "$server_bin" ]]; then
  echo "bench: no server binary at $server_bin (run 'make server' first, or set SERVER=...)" >&2
  exit 1
fi

echo "bench: building the load generator"
cmake -S bench -B "$bench_build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$bench_build" >/dev/null

preload=()
if [[ "${BENCH_FORCE_NODELAY:-0}" == 1 ]]; then
  cc -O2 -shared -fPIC -o "$bench_build/nodelay_preload.so" bench/tools/nodelay_preload.c -ldl
  preload=(env "LD_PRELOAD=$root/$bench_build/nodelay_preload.so")
  echo "bench: DIAGNOSTIC RUN: TCP_NODELAY forced on the server's sockets by LD_PRELOAD"
fi

cores="$(nproc)"
pin_server=(taskset -c 0)
pin_gen=(taskset -c 1)
if ((cores < 2)); then
  echo "bench: only $cores core(s): not pinning; server and generator share a core" >&2
  pin_server=()
  pin_gen=()
fi

if [[ "${BENCH_QUICK:-0}" == 1 ]]; then
  setup_defaults=(--concurrency 1,8 --duration 2)
  relay_defaults=(--latency-duration 1 --max-duration 1 --max-pairs 4)
  idle_defaults=(--steps 500,1000 --settle 0.5 --mass-close 200)
else
  setup_defaults=(--staff 20 --concurrency 1,8,32 --duration 8)
  relay_defaults=(--latency-pairs 4 --rate 2000 --latency-duration 8 --max-pairs 16 --window 32
    --max-duration 8)
  idle_defaults=(--steps 1000,5000,10000,19000 --settle 1 --mass-close 2000)
fi

work="$(mktemp -d /tmp/sb-bench.XXXXXX)"
results="$bench_build/results.jsonl"
: >"$results"
server_pid=""

# Running and not yet a zombie (kill -0 succeeds on a child that exited until it is waited for).
running() {
  [[ -e "/proc/$1/status" ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

stop_server() {
  [[ -n "$server_pid" ]] || return 0
  if running "$server_pid"; then
    local t0=$SECONDS
    kill -TERM "$server_pid" 2>/dev/null || true
    # After the idle scenario the server may still be working through thousands of closes.
    for _ in $(seq 1 150); do
      running "$server_pid" || break
      sleep 0.1
    done
    if running "$server_pid"; then
      echo "bench: server $server_pid still running 15 s after SIGTERM; killing it" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    elif ((SECONDS - t0 >= 2)); then
      echo "bench: the server took about $((SECONDS - t0)) s to stop after SIGTERM" >&2
    fi
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

# start_server NAME: a fresh server and database; sets server_pid and port.
start_server() {
  local dir="$work/$1"
  mkdir -p "$dir"
  secret="bench-secret-$RANDOM$RANDOM"
  # The hard limit here is 20000; the idle scenario holds up to ~19k sockets.
  (
    ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
    exec "${preload[@]}" "${pin_server[@]}" "$server_bin" --listen 127.0.0.1:0 --db "sqlite:$dir/bench.db" \
      --jwt-secret "$secret" --rate-user 1000000/s --rate-ip 1000000/s --ws-rate 1000000/s \
      --max-connections 100000 --max-connections-per-ip 100000 \
      --log-format json
  ) >"$dir/server.log" 2>"$dir/server.err" &
  server_pid=$!
  port=""
  for _ in $(seq 1 100); do
    port="$(grep -m1 '"server.listening"' "$dir/server.log" 2>/dev/null |
      grep -o '"port":[0-9]*' | cut -d: -f2 || true)"
    [[ -n "$port" ]] && break
    if ! running "$server_pid"; then
      echo "bench: the server exited at start-up:" >&2
      cat "$dir/server.err" >&2
      exit 1
    fi
    sleep 0.1
  done
  if [[ -z "$port" ]]; then
    echo "bench: the server did not log server.listening within 10 s" >&2
    exit 1
  fi
}

echo "bench: server $server_bin, $cores cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
status=0
for scenario in "${scenarios[@]}"; do
  case "$scenario" in
    setup) args=("${setup_defaults[@]}" ${SETUP_ARGS:-}) ;;
    relay) args=("${relay_defaults[@]}" ${RELAY_ARGS:-}) ;;
    idle) args=("${idle_defaults[@]}" ${IDLE_ARGS:-}) ;;
    *)
      echo "bench: unknown scenario $scenario (setup, relay, idle)" >&2
      exit 2
      ;;
  esac
  start_server "$scenario"
  out="$work/$scenario.out"
  if "${pin_gen[@]}" "$gen" "$scenario" --port "$port" --server-pid "$server_pid" \
    --secret "$secret" "${args[@]}" | tee "$out"; then
    :
  else
    echo "bench: scenario $scenario failed" >&2
    status=1
  fi
  grep '^{"bench":"switchboard"' "$out" >>"$results" || true
  lines="$(wc -l <"$work/$scenario/server.log")"
  echo "($scenario: server wrote $lines log lines; stderr: $(wc -c <"$work/$scenario/server.err") bytes)"
  stop_server
done
echo "bench: JSON results in $results"
exit "$status"
