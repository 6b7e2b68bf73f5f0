#!/usr/bin/env bash
# Entrypoint of the postgres replica (harden tests). Written for this project; it behaves like the
# official image's entrypoint in what hardening touches: as root it prepares PGDATA and the socket
# directory, chowns them to postgres and re-executes itself with `gosu postgres`; under --user it
# runs as that user (nss_wrapper supplies a passwd entry when the uid has none); on an empty PGDATA
# it runs initdb, a socket-only temporary server and /docker-entrypoint-initdb.d, then execs CMD.
set -Eeo pipefail

# VAR or VAR_FILE (Docker secrets) into VAR.
env_or_file() {
	local name="$1" default="${2:-}" file_name="${1}_FILE"
	if [[ -n "${!name:-}" && -n "${!file_name:-}" ]]; then
		echo >&2 "error: both $name and $file_name are set (but are exclusive)"
		exit 1
	fi
	local value="$default"
	if [[ -n "${!name:-}" ]]; then
		value="${!name}"
	elif [[ -n "${!file_name:-}" ]]; then
		value="$(<"${!file_name}")"
	fi
	export "$name=$value"
	unset "$file_name"
}

wants_help() {
	local a
	for a in "$@"; do
		case "$a" in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac
	done
	return 1
}

prepare_dirs() {
	mkdir -p "$PGDATA"
	chmod 700 "$PGDATA" || :
	mkdir -p /var/run/postgresql || :
	chmod 3775 /var/run/postgresql || :
	if [[ -n "${POSTGRES_INITDB_WALDIR:-}" ]]; then
		mkdir -p "$POSTGRES_INITDB_WALDIR"
		[[ "$(id -u)" != 0 ]] || find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +
		chmod 700 "$POSTGRES_INITDB_WALDIR"
	fi
	if [[ "$(id -u)" == 0 ]]; then
		find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
		find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
	fi
}

run_initdb() {
	local uid gid lib
	uid="$(id -u)"
	gid="$(id -g)"
	if ! getent passwd "$uid" >/dev/null; then
		for lib in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
			[[ -s "$lib" ]] || continue
			NSS_WRAPPER_PASSWD="$(mktemp)"
			NSS_WRAPPER_GROUP="$(mktemp)"
			echo "postgres:x:$uid:$gid:PostgreSQL:$PGDATA:/bin/false" >"$NSS_WRAPPER_PASSWD"
			echo "postgres:x:$gid:" >"$NSS_WRAPPER_GROUP"
			export LD_PRELOAD="$lib" NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
			break
		done
	fi
	local -a waldir=()
	[[ -z "${POSTGRES_INITDB_WALDIR:-}" ]] || waldir=(--waldir "$POSTGRES_INITDB_WALDIR")
	# POSTGRES_INITDB_ARGS is word-split on purpose (documented as extra initdb arguments).
	# shellcheck disable=SC2086
	initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
		$POSTGRES_INITDB_ARGS "${waldir[@]}"
	if [[ "${LD_PRELOAD:-}" == */libnss_wrapper.so ]]; then
		rm -f "$NSS_WRAPPER_PASSWD" "$NSS_WRAPPER_GROUP"
		unset LD_PRELOAD NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
	fi
}

sql() {
	local -a cmd=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
	PGHOST='' PGHOSTADDR='' "${cmd[@]}" "$@"
}

main() {
	if [[ "${1:0:1}" == - ]]; then
		set -- postgres "$@"
	fi
	if [[ "$1" != postgres ]] || wants_help "$@"; then
		exec "$@"
	fi

	env_or_file POSTGRES_PASSWORD
	env_or_file POSTGRES_USER postgres
	env_or_file POSTGRES_DB "$POSTGRES_USER"
	env_or_file POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=}"

	prepare_dirs
	if [[ "$(id -u)" == 0 ]]; then
		exec gosu postgres "${BASH_SOURCE[0]}" "$@"
	fi

	if [[ -s "$PGDATA/PG_VERSION" ]]; then
		printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
		exec "$@"
	fi

	if [[ -z "$POSTGRES_PASSWORD" && "$POSTGRES_HOST_AUTH_METHOD" != trust ]]; then
		cat >&2 <<-'EOF'
			Error: Database is uninitialized and superuser password is not specified.
			       You must specify POSTGRES_PASSWORD to a non-empty value for the
			       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
		EOF
		exit 1
	fi
	ls /docker-entrypoint-initdb.d/ >/dev/null

	run_initdb
	shift # drop "postgres": the rest are server options
	local auth="${POSTGRES_HOST_AUTH_METHOD:-$(postgres -C password_encryption "$@")}"
	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

	export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
	NOTIFY_SOCKET='' PGUSER="${PGUSER:-$POSTGRES_USER}" \
		pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@" -c listen_addresses='' -p "${PGPORT:-5432}")" -w start

	if [[ "$POSTGRES_DB" != postgres ]] &&
		[[ -z "$(sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")" ]]; then
		sql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
	fi
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh) if [[ -x "$f" ]]; then echo "$0: running $f"; "$f"; else echo "$0: sourcing $f"; . "$f"; fi ;;
			*.sql) echo "$0: running $f"; sql --dbname "$POSTGRES_DB" -f "$f" ;;
			*.sql.gz) echo "$0: running $f"; gunzip -c "$f" | sql --dbname "$POSTGRES_DB" ;;
			*.sql.xz) echo "$0: running $f"; xzcat "$f" | sql --dbname "$POSTGRES_DB" ;;
			*.sql.zst) echo "$0: running $f"; zstd -dc "$f" | sql --dbname "$POSTGRES_DB" ;;
			*) [[ ! -e "$f" ]] || echo "$0: ignoring $f" ;;
		esac
	done

	PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
	unset PGPASSWORD
	printf '\nPostgreSQL init process complete; ready for start up.\n\n'
	exec postgres "$@"
}

main "$@"
