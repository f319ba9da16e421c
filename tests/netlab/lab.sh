#!/usr/bin/env bash
# The network lab (issue 14, docs/netlab.md): builds a "public" namespace with the Switchboard
# server and coturn, and per matrix row two homes behind their own router namespaces (NAT,
# firewalls, impairment), then runs the rows (matrix.mjs) with one headless Chromium per home.
# Everything is torn down on exit. Needs root and network namespaces; says so and fails without.
# Usage: tests/netlab/lab.sh [row ...]   (default: every row; see matrix.mjs for their names)
# Env: NETLAB_PARALLEL (rows at once, default 2), NETLAB_OUT (where the report goes, default
# web/test-results/netlab), SWITCHBOARD_BIN, SWITCHBOARD_WEB_DIST.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
# shellcheck source=topology.sh
source "$HERE/topology.sh"

if [[ $(id -u) -ne 0 ]] || ! ip netns add "sbl-probe-$$" 2>/dev/null; then
  echo "netlab: needs root and network namespaces (ip netns), which this machine does not allow: FAILED"
  echo "0 passed, 1 failed"
  exit 1
fi
ip netns del "sbl-probe-$$"

BIN="${SWITCHBOARD_BIN:-$REPO/build/switchboard}"
WEB_DIST="${SWITCHBOARD_WEB_DIST:-$REPO/web/dist}"
[[ -x "$BIN" ]] || { echo "netlab: no server binary at $BIN (make build)"; exit 1; }
[[ -f "$WEB_DIST/index.html" ]] || { echo "netlab: no front end at $WEB_DIST (make web)"; exit 1; }

LAB="sbl-$(printf '%04x' $((RANDOM ^ $$ & 0xffff)))"
LAB_DIR="$(mktemp -d "/tmp/$LAB.XXXX")"
ULA="$(printf 'fd%02x:%04x:%04x' $((RANDOM % 256)) "$RANDOM" "$RANDOM")"
OUT="${NETLAB_OUT:-$REPO/web/test-results/netlab}"
mkdir -p "$OUT"
declare -A ROUTER_NS ROUTER_N ROUTER_MODE HOME_NS

cleanup() {
  local status=$?
  teardown_namespaces
  cp -f "$LAB_DIR"/*.log "$OUT/" 2>/dev/null || true
  rm -rf "$LAB_DIR"
  exit "$status"
}
trap cleanup EXIT INT TERM

started=$SECONDS
make_public

# Row by row: routers (name, index, NAT mode, firewall rules) and the two homes.
make_router lan-r 1 cone
make_home lan-a lan-r 2
make_home lan-b lan-r 3

make_router cone-ra 2 cone
make_router cone-rb 3 cone
make_home cone-a cone-ra 2
make_home cone-b cone-rb 2

make_router sym-ra 4 symmetric
make_router sym-rb 5 cone
make_home sym-a sym-ra 2
make_home sym-b sym-rb 2

# UDP blocked, and TURN over TLS (5349) refused too: only TURN over TCP gets out.
make_router tcp-ra 6 cone 'meta l4proto udp drop' 'tcp dport 5349 drop'
make_router tcp-rb 7 cone
make_home tcp-a tcp-ra 2
make_home tcp-b tcp-rb 2

# UDP blocked, and plain TCP to the TURN port refused: only TURN over TLS gets out.
make_router tls-ra 8 cone 'meta l4proto udp drop' 'tcp dport 3478 drop'
make_router tls-rb 9 cone
make_home tls-a tls-ra 2
make_home tls-b tls-rb 2

# 100 ms each way and 10 % loss each way on the UDP through loss-ra (impair.c on NFQUEUE 0).
# TURN over TCP and TLS refused: ICE would otherwise choose that unimpaired relay over the lossy
# UDP paths, and the row would measure nothing.
make_router loss-ra 10 cone 'tcp dport { 3478, 5349 } drop'
make_router loss-rb 11 cone
make_home loss-a loss-ra 2
make_home loss-b loss-rb 2
ip netns exec "${ROUTER_NS[loss-ra]}" iptables -A FORWARD -p udp -j NFQUEUE --queue-num 0

# switch-a starts behind switch-ra and moves to switch-rc mid-call.
make_router switch-ra 12 cone
make_router switch-rc 13 cone
make_router switch-rb 14 cone
make_home switch-a switch-ra 2
make_home switch-b switch-rb 2

make_router v6-ra 15 v6
make_router v6-rb 16 v6
make_home v6-a v6-ra 2
make_home v6-b v6-rb 2

# Symmetric NATs on both sides and TURN unreachable (STUN too): nothing can connect.
no_turn=('ip daddr 198.18.0.1 udp dport 3478 drop' 'ip daddr 198.18.0.1 tcp dport { 3478, 5349 } drop')
make_router noturn-ra 17 symmetric "${no_turn[@]}"
make_router noturn-rb 18 symmetric "${no_turn[@]}"
make_home noturn-a noturn-ra 2
make_home noturn-b noturn-rb 2

# The same three topologies again for the rows with Firefox as the client.
make_router coneff-ra 19 cone
make_router coneff-rb 20 cone
make_home coneff-a coneff-ra 2
make_home coneff-b coneff-rb 2

make_router symff-ra 21 symmetric
make_router symff-rb 22 cone
make_home symff-a symff-ra 2
make_home symff-b symff-rb 2

make_router switchff-ra 23 cone
make_router switchff-rc 24 cone
make_router switchff-rb 25 cone
make_home switchff-a switchff-ra 2
make_home switchff-b switchff-rb 2

# ffswitch-b (Firefox) starts behind ffswitch-rb and moves to ffswitch-rc mid-call.
make_router ffswitch-ra 28 cone
make_router ffswitch-rb 29 cone
make_router ffswitch-rc 30 cone
make_home ffswitch-a ffswitch-ra 2
make_home ffswitch-b ffswitch-rb 2

make_router glareff-ra 26 cone
make_router glareff-rb 27 cone
make_home glareff-a glareff-ra 2
make_home glareff-b glareff-rb 2

# The A/B of ICE profiles (docs/config.md#ice-server-profiles): staff behind an office firewall that lets out TCP to
# 443 (and the web on 8081) but no UDP, no TURN port 3478 and no 5349.
make_router ab-ra 31 cone 'meta l4proto udp drop' 'tcp dport { 3478, 5349 } drop'
make_router ab-rb 32 cone
make_home ab-a ab-ra 2
make_home ab-b ab-rb 2

echo "netlab: $LAB: $(wc -l <"$LAB_DIR/namespaces") namespaces up in $((SECONDS - started)) s (IPv6 $ULA::/48)"

gcc -O2 -Wall -o "$LAB_DIR/impair" "$HERE/impair.c" -lnetfilter_queue
ip netns exec "${ROUTER_NS[loss-ra]}" "$LAB_DIR/impair" 0 100 10 >"$LAB_DIR/impair.log" 2>&1 &
disown

# coturn with a test certificate for turns: (made now, valid a day, for the public address).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj "/CN=turn.netlab.test" -addext "subjectAltName=IP:$PUBLIC_V4" \
  -keyout "$LAB_DIR/turn.key" -out "$LAB_DIR/turn.crt" 2>/dev/null
TURN_SECRET="netlab-$RANDOM$RANDOM"
cat >"$LAB_DIR/turnserver.conf" <<EOF
listening-ip=$PUBLIC_V4
listening-ip=$ULA::1
relay-ip=$PUBLIC_V4
relay-ip=$ULA::1
listening-port=3478
tls-listening-port=5349
cert=$LAB_DIR/turn.crt
pkey=$LAB_DIR/turn.key
min-port=49152
max-port=49999
use-auth-secret
static-auth-secret=$TURN_SECRET
realm=netlab.test
fingerprint
no-dtls
no-cli
no-multicast-peers
# As in production: no relaying to private ranges (the homes' LANs). Without it coturn tries to
# send to a peer's host candidate, the public namespace has no route there, and coturn closes
# the whole allocation on that send error (media stops ~0.5 s into a relayed call).
denied-peer-ip=10.0.0.0-10.255.255.255
denied-peer-ip=172.16.0.0-172.31.255.255
denied-peer-ip=192.168.0.0-192.168.255.255
denied-peer-ip=100.64.0.0-100.127.255.255
userdb=$LAB_DIR/turndb
pidfile=$LAB_DIR/turnserver.pid
log-file=$LAB_DIR/turn.log
simple-log
verbose
EOF
ip netns exec "$PUB" /usr/bin/turnserver -c "$LAB_DIR/turnserver.conf" >"$LAB_DIR/turn-out.log" 2>&1 &
disown
# TURN over TLS on 443 as well, the port office firewalls let out: the public address's 443 is
# coturn's 5349.
ip netns exec "$PUB" nft -f - <<EOF
table ip turn443 {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr $PUBLIC_V4 tcp dport 443 redirect to :5349
  }
}
EOF

# One server on [::] serves IPv4 and IPv6 (a dual-stack socket).
PORT=8080
ip netns exec "$PUB" "$BIN" --listen "[::]:$PORT" --db "sqlite:$LAB_DIR/switchboard.db" \
  --web-root "$WEB_DIST" --dev --log-format text --admission-lag 0ms --ring-timeout 30s \
  --stun-urls "stun:$PUBLIC_V4:3478,stun:[$ULA::1]:3478" \
  --turn-urls "turn:$PUBLIC_V4:3478?transport=udp,turn:$PUBLIC_V4:3478?transport=tcp,turns:$PUBLIC_V4:5349?transport=tcp" \
  --turn-secret "$TURN_SECRET" >"$LAB_DIR/server.log" 2>&1 &
disown

# A second server for the A/B row, with two ICE profiles drawn half and half: TURN over UDP
# only, and the same plus TURN over TLS on 443.
AB_PORT=8081
cat >"$LAB_DIR/ice-profiles.json" <<EOF
[
  {"name": "udp", "weight": 50, "stun_urls": ["stun:$PUBLIC_V4:3478"],
   "turn_urls": ["turn:$PUBLIC_V4:3478?transport=udp"]},
  {"name": "tls443", "weight": 50, "stun_urls": ["stun:$PUBLIC_V4:3478"],
   "turn_urls": ["turn:$PUBLIC_V4:3478?transport=udp", "turns:$PUBLIC_V4:443?transport=tcp"]}
]
EOF
ip netns exec "$PUB" "$BIN" --listen "$PUBLIC_V4:$AB_PORT" --db "sqlite:$LAB_DIR/ab.db" \
  --web-root "$WEB_DIST" --dev --log-format text --admission-lag 0ms --ring-timeout 30s \
  --ice-profiles "$LAB_DIR/ice-profiles.json" --turn-secret "$TURN_SECRET" >"$LAB_DIR/server-ab.log" 2>&1 &
disown

for port in $PORT $AB_PORT; do
  for _ in $(seq 50); do
    ip netns exec "$PUB" curl -sf "http://$PUBLIC_V4:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
done

json_string() { python3 -c 'import json, sys; print(json.dumps(sys.stdin.read()))'; }
homes_json=""
for h in "${!HOME_NS[@]}"; do homes_json+="\"$h\": \"${HOME_NS[$h]}\","; done
cat >"$LAB_DIR/lab.json" <<EOF
{
  "lab": "$LAB",
  "dir": "$LAB_DIR",
  "out": "$OUT",
  "base": "http://$PUBLIC_V4:$PORT",
  "base6": "http://[$ULA::1]:$PORT",
  "ab_base": "http://$PUBLIC_V4:$AB_PORT",
  "homes": { ${homes_json%,} },
  "switch": {
    "switch": $(switch_commands switch-a switch-ra switch-rc 2 | json_string),
    "switchff": $(switch_commands switchff-a switchff-ra switchff-rc 2 | json_string),
    "ffswitch": $(switch_commands ffswitch-b ffswitch-rb ffswitch-rc 2 | json_string)
  }
}
EOF

[[ -n "${NETLAB_PCAP:-}" ]] && { ip netns exec "$PUB" tcpdump -i br0 -w "$OUT/pub.pcap" -s 200 udp or icmp >/dev/null 2>&1 & sleep 0.5; }
ip netns exec "$PUB" node "$HERE/matrix.mjs" "$LAB_DIR/lab.json" "$@"
