#!/usr/bin/env bash
# Builds switchboard_<version>_amd64.deb with dpkg-buildpackage from a clean clone of HEAD (plus the
# built web/dist), then checks it: its contents and conffiles, lintian, the systemd unit
# (systemd-analyze verify), the settings file against --help, and that the unpacked server
# starts and serves the packaged front end. Prints "package check: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f web/dist/index.html ]]; then
  echo "test-package: web/dist is missing; run 'make build' first" >&2
  exit 2
fi
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
check() {
  local name="$1"
  shift
  if "$@"; then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
  fi
}

git clone -q . "$work/switchboard"
cp -r web/dist "$work/switchboard/web/dist"
echo "test-package: dpkg-buildpackage (log in the failure output if it fails)"
if ! (cd "$work/switchboard" && dpkg-buildpackage -us -uc -b -j2 >"$work/build.log" 2>&1); then
  tail -40 "$work/build.log"
  echo "package check: 0 passed, 1 failed"
  exit 1
fi
deb="$(ls "$work"/switchboard_*_amd64.deb 2>/dev/null | head -1)"
check "dpkg-buildpackage made switchboard_<version>_amd64.deb" test -f "$deb"
echo "     $(basename "$deb")"
# `make deb` keeps it.
if [[ -n "${SB_DEB_OUT:-}" ]]; then
  mkdir -p "$SB_DEB_OUT" && cp "$deb" "$SB_DEB_OUT/" && echo "     copied to $SB_DEB_OUT/"
fi

contents="$(dpkg-deb -c "$deb")"
has() { grep -q " \./$1\$" <<<"$contents" || grep -q " \./$1 -> " <<<"$contents"; }
check "it holds the binary" has usr/bin/switchboard
check "it holds the front end" has usr/share/switchboard/web/index.html
check "it holds the settings file" has etc/switchboard/switchboard.env
check "it holds the systemd unit" has lib/systemd/system/switchboard.service
check "it holds the coturn example" has usr/share/doc/switchboard/examples/coturn/turnserver.conf
mkdir -p "$work/control"
dpkg-deb -e "$deb" "$work/control"
check "the settings file is a conffile" grep -qx /etc/switchboard/switchboard.env "$work/control/conffiles"

lintian_ok() {
  lintian --fail-on error --suppress-tags no-manual-page "$deb" >"$work/lintian.log" 2>&1
  local rc=$?
  sed 's/^/     /' "$work/lintian.log"
  return $rc
}
check "lintian finds no error" lintian_ok

root="$work/root"
dpkg -x "$deb" "$root"
unit_ok() {
  # Verified on this host's systemd, with ExecStart pointing at the unpacked binary (the unit
  # is not installed here).
  mkdir -p "$work/unit"
  sed "s|^ExecStart=/usr/bin/switchboard|ExecStart=$root/usr/bin/switchboard|" \
    "$root/lib/systemd/system/switchboard.service" >"$work/unit/switchboard.service"
  systemd-analyze verify "$work/unit/switchboard.service" >"$work/verify.log" 2>&1
  local rc=$?
  sed 's/^/     /' "$work/verify.log"
  [[ $rc -eq 0 && ! -s "$work/verify.log" ]]
}
check "systemd-analyze verify accepts the unit" unit_ok
# For the record: systemd's own score of the unit's sandbox (0 is the most locked down).
systemd-analyze security --offline=yes "$work/unit/switchboard.service" 2>/dev/null |
  grep -o 'Overall exposure level.*' | sed 's/^/     /' || true
hardened() {
  local unit="$root/lib/systemd/system/switchboard.service"
  grep -q '^DynamicUser=yes' "$unit" && grep -q '^StateDirectory=switchboard' "$unit" &&
    grep -q '^ProtectSystem=strict' "$unit" && grep -q '^NoNewPrivileges=yes' "$unit"
}
check "the unit is hardened (DynamicUser, StateDirectory, ProtectSystem, NoNewPrivileges)" hardened

bin="$root/usr/bin/switchboard"
check "the packaged binary says its version" bash -c "'$bin' --version | grep -qE '^switchboard [0-9]+\.[0-9]+\.[0-9]+ \('"
env_file="$root/etc/switchboard/switchboard.env"
every_flag_documented() {
  local missing=0
  for flag in $("$bin" --help | grep -oE '^  --[a-z0-9-]+' | sed 's/^  --//'); do
    [[ "$flag" == help || "$flag" == version ]] && continue
    local twin="SWITCHBOARD_$(tr 'a-z-' 'A-Z_' <<<"$flag")"
    grep -qE "^#?${twin}=" "$env_file" || { echo "     missing: $twin"; missing=1; }
  done
  return $missing
}
check "the settings file has every flag of --help" every_flag_documented
up_to_date() {
  scripts/make-env-file.py "$bin" "$work/fresh.env" && diff -u "$work/fresh.env" "$env_file"
}
check "the settings file is what scripts/make-env-file.py makes" up_to_date

serves_front_end() {
  # The package's settings, with a scratch database and port, and the dev sign-in.
  (
    set -a
    # shellcheck disable=SC1090
    source "$env_file"
    set +a
    SWITCHBOARD_DB="sqlite:$work/state/switchboard.db" SWITCHBOARD_LISTEN=127.0.0.1:0 \
      SWITCHBOARD_WEB_ROOT="$root/usr/share/switchboard/web" SWITCHBOARD_LOG_FORMAT=json \
      exec "$bin" --dev
  ) >"$work/server.log" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 1 100); do
    port="$(grep -o '"event":"server.listening"[^}]*' "$work/server.log" | grep -oE '"port":[0-9]+' | grep -oE '[0-9]+' | head -1)"
    [[ -n "$port" ]] && break
    sleep 0.1
  done
  [[ -n "$port" ]] || { sed 's/^/     /' "$work/server.log"; return 1; }
  curl -fsS "http://127.0.0.1:$port/" | grep -q '<div id="root">' &&
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null
}
check "the unpacked server starts with the packaged settings and serves the front end" serves_front_end

echo "package check: $passed passed, $failed failed"
((failed == 0))
