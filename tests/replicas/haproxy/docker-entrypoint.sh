#!/bin/sh
# Entrypoint of the haproxy replica (written for harden's tests; behaves as the official one):
# options alone mean haproxy, and haproxy runs in master-worker mode in the foreground.
set -e
case "$1" in
	-*) set -- haproxy "$@" ;;
esac
if [ "$1" = haproxy ]; then
	shift
	set -- haproxy -W -db "$@"
fi
exec "$@"
