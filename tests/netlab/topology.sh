# shellcheck shell=bash
# Building blocks of the lab's networks, sourced by lab.sh. Every namespace is named after the
# run ($LAB, unique per run) and recorded in $LAB_DIR/namespaces so that teardown finds them all.
# Addresses are test ranges only: 198.18.0.0/24 is the "internet", 100.64.N.0/24 is router N's
# home LAN, and $ULA (a random fdXX:XXXX:XXXX::/48) carries IPv6: $ULA::/64 public, $ULA:N::/64
# the LAN of router N.

PUBLIC_V4=198.18.0.1

ns_add() {
  ip netns add "$1"
  echo "$1" >>"$LAB_DIR/namespaces"
  ip -n "$1" link set lo up
}

# The public namespace: one bridge every router's WAN side joins; the server and coturn listen on
# its addresses.
make_public() {
  PUB="$LAB-pub"
  ns_add "$PUB"
  ip -n "$PUB" link add br0 type bridge
  ip -n "$PUB" addr add "$PUBLIC_V4/24" dev br0
  ip -n "$PUB" addr add "$ULA::1/64" dev br0 nodad
  ip -n "$PUB" link set br0 up
  # The public namespace routes IPv6 between the routers (each LAN /64 is routed to its router).
  ip netns exec "$PUB" sysctl -qw net.ipv6.conf.all.forwarding=1
}

# make_router NAME N MODE [nft forward rules...]
# MODE: cone (masquerade: Linux keeps the source port, filtering per address and port, i.e. a
# port-restricted cone), symmetric (masquerade fully-random: a new public port per destination),
# v6 (IPv6 only, routed, no NAT). The forward rules filter what leaves the LAN (a firewall).
make_router() {
  local name="$1" n="$2" mode="$3"
  shift 3
  local ns="$LAB-$name"
  ns_add "$ns"
  ip -n "$PUB" link add "w$n" type veth peer name wan0 netns "$ns"
  ip -n "$PUB" link set "w$n" master br0 up
  ip -n "$ns" link add lan type bridge
  ip -n "$ns" link set wan0 up
  ip -n "$ns" link set lan up
  if [[ "$mode" == v6 ]]; then
    ip -n "$ns" addr add "$ULA::$((n + 16))/64" dev wan0 nodad
    ip -n "$ns" addr add "$ULA:$n::1/64" dev lan nodad
    ip -n "$ns" -6 route add default via "$ULA::1"
    ip -n "$PUB" -6 route add "$ULA:$n::/64" via "$ULA::$((n + 16))"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
  else
    ip -n "$ns" addr add "198.18.0.$((n + 16))/24" dev wan0
    ip -n "$ns" addr add "100.64.$n.1/24" dev lan
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
    local random=""
    [[ "$mode" == symmetric ]] && random="fully-random"
    # Unsolicited packets from outside are dropped before conntrack confirms an entry for them:
    # such an entry would take the public port a home is about to use, and the NAT would give the
    # home another one (hole punching would then fail where a real home router lets it through).
    ip netns exec "$ns" nft -f - <<EOF
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan0" masquerade $random
  }
  chain unsolicited {
    type filter hook prerouting priority mangle; policy accept;
    iifname "wan0" ct state new counter drop
  }
}
EOF
  fi
  if (($# > 0)); then
    local rules
    rules=$(printf '    iifname "lan" %s\n' "$@")
    ip netns exec "$ns" nft -f - <<EOF
table inet firewall {
  chain forward {
    type filter hook forward priority filter; policy accept;
$rules
  }
}
EOF
  fi
  ROUTER_NS["$name"]="$ns"
  ROUTER_N["$name"]="$n"
  ROUTER_MODE["$name"]="$mode"
}

# make_home NAME ROUTER HOST: a namespace with one interface (eth0) on ROUTER's LAN, at .HOST.
make_home() {
  local name="$1" router="$2" host="$3"
  local ns="$LAB-$name" rns="${ROUTER_NS[$router]}"
  ns_add "$ns"
  ip -n "$ns" link add eth0 type veth peer name "h-$name" netns "$rns"
  ip -n "$rns" link set "h-$name" master lan up
  ip -n "$ns" link set eth0 up
  address_home "$name" "$router" "$host"
  # shellcheck disable=SC2034 # read by lab.sh
  HOME_NS["$name"]="$ns"
}

# address_home NAME ROUTER HOST: (re)addresses home NAME for ROUTER's LAN.
address_home() {
  local ns="$LAB-$1" n="${ROUTER_N[$2]}" host="$3"
  ip -n "$ns" addr flush dev eth0
  if [[ "${ROUTER_MODE[$2]}" == v6 ]]; then
    ip -n "$ns" addr add "$ULA:$n::$host/64" dev eth0 nodad
    ip -n "$ns" -6 route replace default via "$ULA:$n::1"
  else
    ip -n "$ns" addr add "100.64.$n.$host/24" dev eth0
    ip -n "$ns" route replace default via "100.64.$n.1"
  fi
}

# The commands that move home NAME's cable from router FROM to router TO (a new address behind
# another NAT: Wi-Fi to a phone hotspot). Printed, to run mid-call.
switch_commands() {
  local name="$1" from="$2" to="$3" host="$4"
  local ns="$LAB-$name" n="${ROUTER_N[$to]}"
  cat <<EOF
ip -n ${ROUTER_NS[$from]} link set h-$name netns ${ROUTER_NS[$to]}
ip -n ${ROUTER_NS[$to]} link set h-$name master lan up
ip -n $ns addr flush dev eth0
ip -n $ns addr add 100.64.$n.$host/24 dev eth0
ip -n $ns route replace default via 100.64.$n.1
EOF
}

# Kills what runs in the lab's namespaces and deletes them.
teardown_namespaces() {
  [[ -f "$LAB_DIR/namespaces" ]] || return 0
  local ns pids
  while read -r ns; do
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
    ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  done <"$LAB_DIR/namespaces"
  # The server finishes its group commit on SIGTERM: give everything up to 3 s to go.
  for _ in $(seq 30); do
    local left=0
    while read -r ns; do
      [[ -n "$(ip netns pids "$ns" 2>/dev/null)" ]] && left=1
    done <"$LAB_DIR/namespaces"
    ((left)) || break
    sleep 0.1
  done
  while read -r ns; do
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
    ((${#pids[@]})) && kill -9 "${pids[@]}" 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done <"$LAB_DIR/namespaces"
  rm -f "$LAB_DIR/namespaces"
}
