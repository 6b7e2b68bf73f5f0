#!/usr/bin/env bash
# Entrypoint of the mongo stand-in (written for harden's tests; behaves as the official mongo
# entrypoint does for users and files): root gives the data directories to mongodb and re-runs
# this script as mongodb through gosu; any other user runs the command as it is.
set -Eeuo pipefail

if [[ "${1:0:1}" == - ]]; then
	set -- mongod "$@"
fi
first=$1

if [[ "$first" == mongo* ]] && [[ "$(id -u)" == 0 ]]; then
	if [[ "$first" == mongod ]]; then
		find -L /data/configdb /data/db ! -user mongodb -exec chown mongodb '{}' +
	fi
	# stdout and stderr must stay writable for mongodb
	chown --dereference mongodb "/proc/$$/fd/1" "/proc/$$/fd/2" || :
	exec gosu mongodb "$0" "$@"
fi

if [[ "$first" == mongo* ]] && numactl --interleave=all true &>/dev/null; then
	set -- numactl --interleave=all "$@"
fi

if [[ "$first" == mongod ]]; then
	have_bind=0
	for arg; do
		case "$arg" in --bind_ip | --bind_ip=* | --bind_ip_all) have_bind=1 ;; esac
	done
	((have_bind)) || set -- "$@" --bind_ip_all
fi

exec "$@"
