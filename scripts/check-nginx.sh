#!/usr/bin/env bash
# Checks deploy/nginx/switchboard.conf with `nginx -t`: the file inside a minimal nginx.conf's
# http { } block (as Debian's sites-enabled is), its certificate paths pointed at a throwaway
# self-signed certificate. Prints "nginx config: ok" or nginx's complaint.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v nginx >/dev/null || { echo "check-nginx: nginx is not installed (scripts/install-deps.sh test)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "check-nginx: openssl is not installed" >&2; exit 2; }

dir="$(mktemp -d -t sb-nginx-check-XXXXXX)"
trap 'rm -rf "$dir"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=calls.example.com -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
sed -e "s#/etc/letsencrypt/live/calls.example.com/fullchain.pem#$dir/cert.pem#" \
    -e "s#/etc/letsencrypt/live/calls.example.com/privkey.pem#$dir/key.pem#" \
    deploy/nginx/switchboard.conf >"$dir/switchboard.conf"
cat >"$dir/nginx.conf" <<CONF
pid $dir/nginx.pid;
error_log $dir/error.log;
events {}
http {
    access_log off;
    include $dir/switchboard.conf;
}
CONF
# -e: nginx opens its built-in error log before reading the config; keep that in $dir too.
if nginx -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf"; then
  echo "nginx config: ok"
else
  echo "nginx config: deploy/nginx/switchboard.conf FAILED nginx -t" >&2
  exit 1
fi
