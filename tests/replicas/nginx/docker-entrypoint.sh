#!/bin/sh
# Entrypoint of the nginx replica (harden tests). Written for this project; behaves like the official
# image's: when the command is nginx or nginx-debug, every executable /docker-entrypoint.d/*.sh is run
# and every executable *.envsh is sourced, in version order; then the command is exec'd as is (the
# nginx master then drops its workers to `user nginx` itself when it runs as root).
set -e

say() {
	[ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$@"
}

if [ "$1" = nginx ] || [ "$1" = nginx-debug ]; then
	if [ -n "$(find /docker-entrypoint.d/ -mindepth 1 -maxdepth 1 -type f 2>/dev/null | head -n 1)" ]; then
		say "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
		for f in $(find /docker-entrypoint.d/ -follow -type f | sort -V); do
			if [ ! -x "$f" ]; then
				say "$0: Ignoring $f, not executable"
				continue
			fi
			case "$f" in
				*.envsh) say "$0: Sourcing $f"; . "$f" ;;
				*.sh) say "$0: Launching $f"; "$f" ;;
				*) say "$0: Ignoring $f" ;;
			esac
		done
		say "$0: Configuration complete; ready for start up"
	else
		say "$0: No files found in /docker-entrypoint.d/, skipping configuration"
	fi
fi

exec "$@"
