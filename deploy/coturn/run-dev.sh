#!/usr/bin/env bash
# Starts coturn for development and tests, on loopback, with Switchboard's TURN REST
# credentials (use-auth-secret). NOT a production setup: see turnserver.conf beside this file.
#
# Usage:
#   deploy/coturn/run-dev.sh --port P --secret S --dir TMPDIR [--daemon]
#                            [--realm R] [--ip 127.0.0.1] [--min-port N --max-port M]
#                            [--wait SECONDS]
#
#   --port P      TURN/STUN listening port (UDP and TCP) on --ip.
#   --secret S    shared secret; start Switchboard with --turn-secret S
#                 and --turn-urls turn:127.0.0.1:P?transport=udp
#   --dir D       where the config, userdb, pid file and log go (created if missing).
#   --daemon      start in the background, print coturn's pid on stdout once the port answers,
#                 and exit. Stop it with: kill "$(cat D/turnserver.pid)"
#                 Without --daemon: runs in the foreground until SIGINT/SIGTERM, which it
#                 passes on to coturn; "ready" goes to stderr once the port answers.
#   --realm R     default switchboard.test
#   --ip A        listening-ip and relay-ip, default 127.0.0.1. Anything other than a loopback
#                 address also needs --unsafe-any-ip (for throwaway network namespaces only).
#   --min-port/--max-port  relay port range; default a 100-port range derived from P, so
#                 parallel test runs on different ports rarely collide.
#   --wait S      how long to wait for the port to answer, default 10.
#
# Client credentials for this server (what GET /v1/ice-servers hands out):
#   user="$(( $(date +%s) + 3600 )):alice"
#   pass=$(printf %s "$user" | openssl dgst -sha1 -hmac "$S" -binary | base64)
#   turnutils_uclient -y -n 1 -u "$user" -w "$pass" -p P 127.0.0.1
set -euo pipefail

die() { echo "run-dev.sh: $*" >&2; exit 2; }

port="" secret="" dir="" daemon=0 realm="switchboard.test" ip="127.0.0.1"
min_port="" max_port="" wait_s=10 unsafe_ip=0
while (($#)); do
  case "$1" in
    --port) port="${2-}"; shift 2 ;;
    --secret) secret="${2-}"; shift 2 ;;
    --dir) dir="${2-}"; shift 2 ;;
    --daemon) daemon=1; shift ;;
    --realm) realm="${2-}"; shift 2 ;;
    --ip) ip="${2-}"; shift 2 ;;
    --min-port) min_port="${2-}"; shift 2 ;;
    --max-port) max_port="${2-}"; shift 2 ;;
    --wait) wait_s="${2-}"; shift 2 ;;
    --unsafe-any-ip) unsafe_ip=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done

[[ -n "$port" && -n "$secret" && -n "$dir" ]] || die "--port, --secret and --dir are required"
if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then die "bad --port: $port"; fi
[[ "$wait_s" =~ ^[0-9]+$ ]] || die "bad --wait: $wait_s"
# The secret goes into a config file line: keep it to characters that survive that.
[[ "$secret" =~ ^[A-Za-z0-9._~+/=-]+$ ]] || die "--secret: use letters, digits and ._~+/=- only"
[[ "$realm" =~ ^[A-Za-z0-9.-]+$ ]] || die "bad --realm: $realm"
case "$ip" in
  127.*|::1) ;;
  *) ((unsafe_ip)) || die "--ip $ip is not loopback; this config relays to loopback peers, so" \
       "only use it inside a throwaway network namespace, and say so with --unsafe-any-ip" ;;
esac
if [[ -z "$min_port" ]]; then
  min_port=$((49152 + (port % 160) * 100))
  max_port=$((min_port + 99))
fi
if ! [[ "$min_port" =~ ^[0-9]+$ && "$max_port" =~ ^[0-9]+$ ]] \
  || ((min_port < 1 || min_port > max_port || max_port > 65535)); then
  die "bad relay port range: $min_port-$max_port"
fi

turnserver=/usr/bin/turnserver
stunclient=/usr/bin/turnutils_stunclient
[[ -x "$turnserver" ]] || die "$turnserver not found (apt-get install coturn)"

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
conf="$dir/turnserver.conf"
log="$dir/turnserver.log"
pidfile="$dir/turnserver.pid"

answers() { timeout 0.5 "$stunclient" -p "$port" "$ip" >/dev/null 2>&1; }
answers && die "something already answers STUN on $ip:$port"

umask 077   # the config holds the secret
cat >"$conf" <<EOF
# Written by deploy/coturn/run-dev.sh for development and tests. Do not deploy this.
listening-ip=$ip
relay-ip=$ip
listening-port=$port
min-port=$min_port
max-port=$max_port

# Switchboard's TURN REST credentials: "<expiry>:<user>" / base64(HMAC-SHA1(secret, user)).
use-auth-secret
static-auth-secret=$secret
realm=$realm
fingerprint

# Plain UDP/TCP only; no admin console; no multicast peers.
no-tls
no-dtls
no-cli
no-multicast-peers

# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
# !!! TEST ONLY. allow-loopback-peers lets TURN clients relay to 127.0.0.1/::1, which is what
# !!! a loopback-only test needs (without it CREATE_PERMISSION fails with 403 Forbidden IP).
# !!! On a reachable server it would let anyone with a credential reach this host's own
# !!! services. Production configs keep loopback and private ranges denied (turnserver.conf).
# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
allow-loopback-peers

# Everything this instance writes stays in the test's directory.
userdb=$dir/turndb
pidfile=$pidfile
log-file=$log
simple-log
EOF

rm -f "$pidfile" "$log"
if ((daemon)); then
  # Own session: the caller's Ctrl-C or process-group kill does not take coturn down with it.
  setsid "$turnserver" -c "$conf" </dev/null >"$dir/turnserver.stdout" 2>&1 &
else
  "$turnserver" -c "$conf" </dev/null >"$dir/turnserver.stdout" 2>&1 &
fi
pid=$!

stop() { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

deadline=$((SECONDS + wait_s))
until answers; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run-dev.sh: turnserver exited during start-up; last log lines:" >&2
    tail -n 20 "$log" "$dir/turnserver.stdout" >&2 2>/dev/null || true
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "run-dev.sh: $ip:$port did not answer within ${wait_s}s; stopping turnserver" >&2
    stop
    tail -n 20 "$log" >&2 2>/dev/null || true
    exit 1
  fi
  sleep 0.1
done

if ((daemon)); then
  echo "$pid"
  exit 0
fi

echo "run-dev.sh: coturn ready on $ip:$port (pid $pid, log $log)" >&2
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM HUP
set +e
wait "$pid"
status=$?
# A trapped signal interrupts wait; keep waiting until coturn has really gone.
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid"
  status=$?
done
exit "$status"
