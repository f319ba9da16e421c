#!/usr/bin/env bash
# Runs CMD... with a throwaway PostgreSQL: a temp data dir, trust auth, loopback only, a free
# port on 127.0.0.1 and its unix socket inside the temp dir. Exports
# SB_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/postgres for CMD, and always stops
# the server and removes the dir afterwards. Exits with CMD's status.
# Usage: scripts/with-postgres.sh ctest --output-on-failure
set -euo pipefail
(($#)) || { echo "usage: $0 CMD..." >&2; exit 2; }

pgbin=${SB_PG_BIN:-}
if [[ -z "$pgbin" ]]; then
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[[ -x "$pgbin/initdb" ]] || { echo "with-postgres: no PostgreSQL binaries (install postgresql)" >&2; exit 1; }

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_pg=()
if [[ $(id -u) -eq 0 ]]; then as_pg=(runuser -u postgres --); fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/sb-pg.XXXXXX")
chmod 700 "$dir"
if ((${#as_pg[@]})); then chown postgres:postgres "$dir"; fi
data="$dir/data"

cleanup() {
  if [[ -f "$data/postmaster.pid" ]]; then
    "${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${as_pg[@]}" "$pgbin/initdb" -D "$data" -U postgres --auth=trust --locale=C -E UTF8 --no-sync \
  >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

started=0
for _ in 1 2 3 4 5; do
  port=$(free_port)
  # fsync off: the data is thrown away anyway, and the tests create a database each.
  if "${as_pg[@]}" "$pgbin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 30 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if ((!started)); then
  echo "with-postgres: PostgreSQL did not start" >&2
  cat "$dir/server.log" >&2 || true
  exit 1
fi
for _ in $(seq 1 100); do
  "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port" && break
  sleep 0.1
done

export SB_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
set +e
"$@"
status=$?
set -e
exit "$status"
