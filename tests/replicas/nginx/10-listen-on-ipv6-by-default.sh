#!/bin/sh
# nginx replica: adds an IPv6 listen to the image's own default.conf, as the official script does,
# when IPv6 exists, the file is writable (not on a read-only root) and still as shipped.
set -e
me=$(basename "$0")
conf=/etc/nginx/conf.d/default.conf
say() { [ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$me: info: $*"; }

[ -f /proc/net/if_inet6 ] || { say "ipv6 not available"; exit 0; }
[ -f "$conf" ] || { say "$conf is not a file or does not exist"; exit 0; }
touch "$conf" 2>/dev/null || { say "can not modify $conf (read-only file system?)"; exit 0; }
if grep -q 'listen  \[::\]:80;' "$conf"; then say "IPv6 listen already enabled"; exit 0; fi
grep -q 'server_name  localhost;' "$conf" || { say "$conf differs from the packaged version"; exit 0; }
sed -i 's/^    listen       80;$/    listen       80;\n    listen  [::]:80;/' "$conf"
say "Enabled listen on IPv6 in $conf"
