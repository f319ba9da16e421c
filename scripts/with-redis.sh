#!/usr/bin/env bash
# Runs CMD with a throwaway redis-server (no persistence) on a free 127.0.0.1 port, exported as
# SB_TEST_REDIS_URL=redis://127.0.0.1:PORT, and stops it when CMD ends. Composes with the other
# wrappers: scripts/with-redis.sh scripts/with-postgres.sh ctest --output-on-failure
set -euo pipefail
if (($# == 0)); then
  echo "usage: scripts/with-redis.sh CMD [ARGS...]" >&2
  exit 2
fi
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  echo "with-redis: redis-server and redis-cli are needed (apt-get install redis-server)" >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/sb-redis.XXXXXX")
pid=""
stop_redis() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap stop_redis EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port=""
for _ in $(seq 1 20); do
  candidate=$((20000 + RANDOM % 40000))
  # Skip ports someone already listens on; redis-server itself fails on a race we missed.
  if command -v ss >/dev/null && ss -Hltn "sport = :$candidate" | grep -q .; then continue; fi
  redis-server --port "$candidate" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize no --dir "$dir" --logfile "$dir/redis.log" &
  pid=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    if [[ "$(redis-cli -h 127.0.0.1 -p "$candidate" ping 2>/dev/null)" == "PONG" ]]; then
      port=$candidate
      break
    fi
    sleep 0.05
  done
  [[ -n "$port" ]] && break
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
done
if [[ -z "$port" ]]; then
  echo "with-redis: could not start redis-server (last log follows)" >&2
  cat "$dir/redis.log" >&2 2>/dev/null || true
  exit 1
fi

export SB_TEST_REDIS_URL="redis://127.0.0.1:$port"
echo "with-redis: $SB_TEST_REDIS_URL" >&2
status=0
"$@" || status=$?
exit "$status"
