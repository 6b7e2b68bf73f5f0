#!/usr/bin/env bash
# Entrypoint of the rabbitmq replica (written for harden's tests; behaves as the official one):
# started as root for a rabbitmq* command, it gives the data directory to rabbitmq and re-runs
# itself as rabbitmq through gosu; under any other user it runs the command as it is.
set -euo pipefail

if [[ "$1" == rabbitmq* ]] && [[ "$(id -u)" == 0 ]]; then
	if [[ "$1" == rabbitmq-server ]]; then
		find /var/lib/rabbitmq ! -user rabbitmq -exec chown rabbitmq '{}' +
	fi
	exec gosu rabbitmq "$0" "$@"
fi

# Settings now read from configuration files only.
stale=0
for var in RABBITMQ_DEFAULT_PASS_FILE RABBITMQ_DEFAULT_USER_FILE \
	RABBITMQ_MANAGEMENT_SSL_CACERTFILE RABBITMQ_MANAGEMENT_SSL_CERTFILE RABBITMQ_MANAGEMENT_SSL_DEPTH \
	RABBITMQ_MANAGEMENT_SSL_FAIL_IF_NO_PEER_CERT RABBITMQ_MANAGEMENT_SSL_KEYFILE \
	RABBITMQ_MANAGEMENT_SSL_VERIFY RABBITMQ_SSL_CACERTFILE RABBITMQ_SSL_CERTFILE RABBITMQ_SSL_DEPTH \
	RABBITMQ_SSL_FAIL_IF_NO_PEER_CERT RABBITMQ_SSL_KEYFILE RABBITMQ_SSL_VERIFY \
	RABBITMQ_VM_MEMORY_HIGH_WATERMARK; do
	if [[ -n "${!var:-}" ]]; then
		echo "error: $var is set but deprecated" >&2
		stale=1
	fi
done
if ((stale)); then
	echo 'error: deprecated environment variables detected; use a configuration file' >&2
	exit 1
fi

# Long node names when the host name is a qualified one.
if [[ -z "${RABBITMQ_USE_LONGNAME:-}" ]] && [[ "$(hostname)" != "$(hostname -s)" ]]; then
	export RABBITMQ_USE_LONGNAME=true
fi

exec "$@"
