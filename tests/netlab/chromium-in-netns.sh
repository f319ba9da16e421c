#!/bin/sh
# Playwright launches this as "the browser": Debian's Chromium inside the network namespace
# NETLAB_NS. `ip netns exec` keeps the DevTools pipe (fds 3 and 4) Playwright talks over.
exec ip netns exec "$NETLAB_NS" /usr/bin/chromium "$@"
