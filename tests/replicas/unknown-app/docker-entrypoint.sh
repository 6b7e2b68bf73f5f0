#!/bin/sh
set -e
if [ "$1" = 'app-server' ]; then
    if [ "$(id -u)" = '0' ]; then
        chown -R app:app /var/lib/app
        exec gosu app "$0" "$@"
    fi
    # Scratch space, a pid file, a log and the state.
    mkdir -p /opt/app/tmp/sessions
    echo $$ > /run/app/app.pid
    date >> /var/log/app/app.log
    date >> /var/lib/app/started
    exec busybox httpd -f -p 8080 -h /srv/www
fi
exec "$@"
