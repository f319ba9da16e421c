#!/usr/bin/env bash
# One node against two, on PostgreSQL, with the load generator of ../shared/socketio-ref.
#
#   scripts/bench-nodes.sh ramp                  max sustainable calls/s, one node then two
#   scripts/bench-nodes.sh fixed RATE SECONDS    one fixed-rate run each
#
# Starts a throwaway PostgreSQL (scripts/with-postgres.sh) and Redis (scripts/with-redis.sh).
# Both setups sit behind the same nginx, which spreads connections round robin (HTTP keep-alive
# and WebSockets alike), so the generator sees one address either way:
#   one node:  one server on PostgreSQL (no Redis: one node needs none);
#   two nodes: two servers on the same database with Redis between them (docs/decisions/0003).
# Every server is pinned to core 0, as the single node is, so two nodes get no more CPU than
# one; nginx and the generator share core 1. A fresh database for each setup. Figures are
# printed with the date, never asserted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [[ -z "${SB_TEST_POSTGRES_URL:-}" || -z "${SB_TEST_REDIS_URL:-}" ]]; then
  exec scripts/with-redis.sh scripts/with-postgres.sh "$0" "$@"
fi
mode="${1:?ramp or fixed}"
bin="$(realpath "${SB_BIN:-build/switchboard}")"
ref="build-bench/socketio-ref"
if [[ ! -d "$ref/node_modules" ]]; then
  mkdir -p build-bench
  rm -rf "$ref" && cp -r ../shared/socketio-ref "$ref" && chmod -R u+w "$ref"
  (cd "$ref" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
command -v nginx >/dev/null || { echo "bench-nodes: install nginx" >&2; exit 2; }
ulimit -n 20000
dir="$(mktemp -d)"
front=3190
secret=bench-secret
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  [[ -f "$dir/nginx.pid" ]] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
  rm -f "$dir/nginx.pid"
  sleep 0.5
}
# BENCH_KEEP=DIR keeps the servers' logs and the generator's output there.
trap 'stop_all; [[ -n "${BENCH_KEEP:-}" ]] && mkdir -p "$BENCH_KEEP" && cp -r "$dir"/. "$BENCH_KEEP"/; rm -rf "$dir"' EXIT

# A fresh database: every table of the previous setup dropped.
fresh_database() {
  PGOPTIONS="-c client_min_messages=warning" psql -q "$SB_TEST_POSTGRES_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' >/dev/null
}

start_nginx() {  # ports of the nodes
  local upstream=""
  for port in "$@"; do upstream+="server 127.0.0.1:$port;"$'\n'; done
  cat >"$dir/nginx.conf" <<CONF
pid $dir/nginx.pid;
error_log $dir/nginx-error.log;
worker_processes 1;
worker_rlimit_nofile 20000;
events { worker_connections 10000; }
http {
  access_log off;
  upstream nodes { $upstream keepalive 64; }
  map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:$front;
    location / {
      proxy_pass http://nodes;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_read_timeout 300s;
    }
  }
}
CONF
  taskset -c 1 nginx -q -e "$dir/nginx-error.log" -p "$dir" -c "$dir/nginx.conf"
}

start_node() {  # port [more flags]
  local port="$1"
  shift
  taskset -c 0 "$bin" --listen "127.0.0.1:$port" --db "$SB_TEST_POSTGRES_URL" \
    --jwt-secret "$secret" --rate-user 1000000/s --rate-ip 1000000/s --ws-rate 1000000/s \
    --max-connections 100000 --max-connections-per-ip 100000 --log-format text "$@" \
    >"$dir/node-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.2; done
  echo "bench-nodes: the node on $port did not become ready" >&2
  exit 1
}

# The generator reads one process's CPU; with two nodes, their sum is read from /proc here.
node_cpu_ticks() {
  local total=0
  for p in "${pids[@]}"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$total"
}

run() {  # label
  local label="$1" out="$dir/run.json" ticks_before ticks
  ticks_before=$(node_cpu_ticks)
  local args=(--mode fixed --rate "${rate:-0}" --duration "${seconds:-0}" --warmup 0)
  [[ "$mode" == ramp ]] && args=(--mode ramp)
  (cd "$ref" && taskset -c 1 node --max-old-space-size=4096 loadgen.js --protocol switchboard \
    --url "http://127.0.0.1:$front" --jwt-secret "$secret" "${args[@]}" >"$out" 2>/dev/null) || true
  ticks=$(($(node_cpu_ticks) - ticks_before))
  node -e '
    const [file, label, mode, ticks, hz] = process.argv.slice(1);
    const run = require(file);
    const cpuS = Number(ticks) / Number(hz);
    if (mode === "ramp") {
      const r = run.ramp;
      const b = r.best;
      console.log(`${label}  max sustainable ${r.max_sustainable_calls_per_s} calls/s` +
        (b ? ` (setup p99 ${b.setup_latency_ms.p99} ms)` : "") + `  first failing step ${r.first_failing_rate}/s` +
        `  server CPU over the whole ramp ${cpuS.toFixed(1)} s`);
    } else {
      const f = run.fixed;
      const calls = f.completed;
      console.log(`${label}  completed/s ${f.completed_per_s}  setup p50 ${f.setup_latency_ms.p50} ms` +
        ` p99 ${f.setup_latency_ms.p99} ms  signal p99 ${f.signal_latency_ms.p99} ms  errors ${f.errors_total}` +
        `  server cpu ${(cpuS * 1000 / calls).toFixed(2)} ms/call (all nodes)` +
        (f.errors_total ? `  errors by kind ${JSON.stringify(f.errors)}` : ""));
    }
  ' "$out" "$label" "$mode" "$ticks" "$(getconf CLK_TCK)"
}

if [[ "$mode" == fixed ]]; then
  rate="${2:?rate}"
  seconds="${3:-30}"
fi
echo "bench-nodes $mode: $(date -u +%Y-%m-%dT%H:%MZ), switchboard $(git rev-parse --short HEAD)"
fresh_database
start_node 3191
start_nginx 3191
run "one node "
stop_all
fresh_database
start_node 3191 --redis "$SB_TEST_REDIS_URL"
start_node 3192 --redis "$SB_TEST_REDIS_URL"
start_nginx 3191 3192
run "two nodes"
