#!/usr/bin/env bash
# Checks that turnserver.conf's peer deny list refuses private and reserved peers and still
# allows public ones. Runs the real config (placeholders filled in, syslog swapped for a file)
# in a private network namespace whose only interface is loopback, so nothing leaves the
# machine. Needs root (unshare --net) and the coturn package.
#
#   deploy/coturn/check-deny-list.sh [path/to/turnserver.conf]
#
# Run it after every edit of the denied-peer-ip lines: coturn 4.6 reads an all-zero bound as
# "unbounded", so one careless line (a lone "::", or a range starting at "::") silently denies
# every peer, or every IPv4 peer. Exit status 0 when every peer gets the expected answer.
set -euo pipefail

conf_src="$(realpath "${1:-$(dirname "$0")/turnserver.conf}")"
[[ -r "$conf_src" ]] || { echo "cannot read $conf_src" >&2; exit 2; }

if [[ "${SB_IN_NETNS:-}" != 1 ]]; then
  [[ $EUID -eq 0 ]] || { echo "needs root for unshare --net" >&2; exit 2; }
  exec unshare --net env SB_IN_NETNS=1 bash "$0" "$conf_src"
fi
ip link set lo up

work="$(mktemp -d /tmp/sb-denycheck.XXXXXX)"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

secret="denycheck-$RANDOM$RANDOM"
port=3478

# Public addresses must be allowed (403 would mean the list is too wide); everything else
# must be refused with 403 Forbidden IP.
allow4=(8.8.8.8 1.1.1.1 93.184.216.34)
deny4=(0.0.0.0 0.1.2.3 10.9.9.9 100.100.100.200 127.0.0.53 169.254.169.254 172.20.0.1
       192.0.0.192 192.0.2.1 192.88.99.1 192.168.0.1 198.18.0.1 198.51.100.7 203.0.113.5
       224.0.0.1 240.0.0.1 255.255.255.255)
allow6=(2606:4700::1111 2a00:1450:4001::1)
deny6=(:: ::1 ::2 ::ffff:10.0.0.1 ::ffff:8.8.8.8 64:ff9b::a00:1 64:ff9b:1::1 100::1 2001::1
       2001:db8::1 2002:a00:1:: fd00:ec2::254 fe80::1 ff02::1)

start_coturn() {  # $1: address to listen and relay on
  local conf="$work/turnserver.conf"
  sed -e "s/^static-auth-secret=.*/static-auth-secret=$secret/" \
      -e 's/^realm=.*/realm=denycheck.test/' \
      -e 's/^syslog$//' \
      -e 's/^tls-listening-port=.*//' -e 's/^cert=.*//' -e 's/^pkey=.*//' \
      -e "s/^listening-port=.*/listening-port=$port/" \
      -e 's/^listening-ip=.*//' -e 's/^relay-ip=.*//' -e 's/^external-ip=.*//' \
      "$conf_src" >"$conf"
  printf 'listening-ip=%s\nrelay-ip=%s\nno-tls\nuserdb=%s/turndb\npidfile=%s/turn.pid\nlog-file=%s/turn.log\n' \
    "$1" "$1" "$work" "$work" "$work" >>"$conf"
  rm -f "$work/turn.log"
  turnserver -c "$conf" >"$work/stdout.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do
    timeout 0.5 turnutils_stunclient -p "$port" "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "coturn did not start on $1:$port" >&2
  tail -n 20 "$work/stdout.log" >&2
  exit 1
}

stop_coturn() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; }

failures=0
probe() {  # $1 server address, $2 peer, $3 expected: allow|deny
  local user pass out got
  user="$(( $(date +%s) + 600 )):check$RANDOM"   # fresh user each time: user-quota
  pass=$(printf %s "$user" | openssl dgst -sha1 -hmac "$secret" -binary | base64)
  out=$(timeout 8 turnutils_uclient -n 1 -e "$2" -u "$user" -w "$pass" -p "$port" "$1" 2>&1 || true)
  if grep -q "403 (Forbidden IP)" <<<"$out"; then
    got=deny
  elif grep -qE "error [0-9]+|Cannot complete Allocation" <<<"$out"; then
    got="error: $(grep -oE 'error [0-9]+[^,]*|Cannot complete Allocation' <<<"$out" | head -1)"
  else
    got=allow
  fi
  if [[ "$got" == "$3" ]]; then
    printf '  ok    %-22s %s\n' "$2" "$got"
  else
    printf '  FAIL  %-22s expected %s, got %s\n' "$2" "$3" "$got"
    failures=$((failures + 1))
  fi
}

echo "IPv4 peers (relay on 127.0.0.1):"
start_coturn 127.0.0.1
for p in "${allow4[@]}"; do probe 127.0.0.1 "$p" allow; done
for p in "${deny4[@]}"; do probe 127.0.0.1 "$p" deny; done
stop_coturn

echo "IPv6 peers (relay on ::1):"
start_coturn ::1
for p in "${allow6[@]}"; do probe ::1 "$p" allow; done
for p in "${deny6[@]}"; do probe ::1 "$p" deny; done
stop_coturn

if ((failures)); then
  echo "$failures peer(s) answered wrongly: fix the denied-peer-ip lines" >&2
  exit 1
fi
echo "deny list OK"
