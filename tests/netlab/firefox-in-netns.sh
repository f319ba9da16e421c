#!/bin/sh
# puppeteer-core launches this as "Firefox": Debian's firefox-esr inside the network namespace
# NETLAB_NS. Its BiDi port is on that namespace's loopback (firefox-peer.mjs forwards it).
exec ip netns exec "$NETLAB_NS" /usr/bin/firefox-esr "$@"
