#!/bin/sh
# Entrypoint of the memcached replica (written for harden's tests; behaves as the official one):
# arguments that start with a dash are options to memcached.
set -e
case "$1" in
	-*) set -- memcached "$@" ;;
esac
exec "$@"
