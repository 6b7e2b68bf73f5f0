#!/bin/sh
# Entrypoint of the redis replica (harden tests). Written for this project; behaves like the official
# image's: options or a *.conf as first argument mean redis-server; as root it hands what in the
# working directory (/data) is not redis's to redis and re-runs itself with `gosu redis`; under
# --user it runs as that user; a default umask of 0022 becomes 0077.
set -e

case "$1" in
	-*|*.conf) set -- redis-server "$@" ;;
esac

if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
	find . \! -user redis -exec chown redis '{}' +
	exec gosu redis "$0" "$@"
fi

if [ "$(umask)" = 0022 ]; then
	umask 0077
fi

exec "$@"
