#!/usr/bin/env bash
# Entrypoint of the mariadb replica (harden tests). Written for this project; behaves like the
# official image's in what hardening touches: it asks the server for its datadir and socket; as root
# it creates the datadir, chowns it and the socket directory to mysql and re-executes itself with
# `gosu mysql`; under --user it runs as that user; on an empty datadir it runs mariadb-install-db and
# a socket-only temporary server to set the root password and the documented database/user, runs
# /docker-entrypoint-initdb.d, stops that server and execs the command.
set -Eeo pipefail
shopt -s nullglob

log() { printf '%s [%s] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$1" "$2"; }
note() { log Note "$*"; }
warn() { log Warn "$*" >&2; }
die() {
	log ERROR "$*" >&2
	exit 1
}

# MARIADB_<name> from MARIADB_<name>, MARIADB_<name>_FILE, MYSQL_<name> or MYSQL_<name>_FILE (the
# first set wins); both spellings are exported with the value. $3 is the MYSQL_ name when it differs.
take_env() {
	local name="$1" default="${2:-}" mysql_name="MYSQL_${3:-$1}"
	local value='' var file
	for var in "MARIADB_$name" "$mysql_name"; do
		file="${var}_FILE"
		if [[ -n "${!var:-}" && -n "${!file:-}" ]]; then
			die "both $var and $file are set (but are exclusive)"
		fi
		if [[ -n "${!var:-}" ]]; then
			value="${!var}"
			break
		elif [[ -n "${!file:-}" ]]; then
			value="$(<"${!file}")"
			break
		fi
	done
	[[ -n "$value" ]] || value="$default"
	export "MARIADB_$name=$value" "$mysql_name=$value"
	unset "MARIADB_${name}_FILE" "${mysql_name}_FILE"
}

wants_help() {
	local a
	for a in "$@"; do
		case "$a" in -'?' | --help | --print-defaults | -V | --version) return 0 ;; esac
	done
	return 1
}

# The value the server would use for option $1, given the server command line in the rest.
server_option() {
	local name="$1"
	shift
	"$@" --verbose --help 2>/dev/null | awk -v name="$name" '$1 == name && NF == 2 { print $2; exit }'
}

sql_quote() {
	local s="${1//\\/\\\\}"
	printf '%s' "${s//\'/\\\'}"
}

client() {
	mariadb --protocol=socket --socket="$SOCKET" -uroot --database=mysql "$@"
}

temp_server_start() {
	"$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" --wsrep_on=OFF \
		--expire-logs-days=0 --loose-innodb_buffer_pool_load_at_startup=0 &
	TEMP_SERVER_PID=$!
	local i
	for i in {30..0}; do
		if MYSQL_PWD='' client -e 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$TEMP_SERVER_PID" 2>/dev/null || die 'Unable to start the temporary server.'
		sleep 1
	done
	die 'The temporary server did not answer within 30 seconds.'
}

temp_server_stop() {
	MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb-admin --socket="$SOCKET" -uroot shutdown ||
		die 'Unable to shut down the temporary server.'
	wait "$TEMP_SERVER_PID" || :
}

initialise() {
	if [[ -z "$MARIADB_ROOT_PASSWORD" && -z "$MARIADB_ALLOW_EMPTY_ROOT_PASSWORD" && -z "$MARIADB_RANDOM_ROOT_PASSWORD" ]]; then
		die $'Database is uninitialized and password option is not specified\n\tYou need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD'
	fi
	ls /docker-entrypoint-initdb.d/ >/dev/null

	note 'Initializing database files'
	mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db \
		--default-time-zone=SYSTEM --skip-log-bin --expire-logs-days=0 \
		--loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 \
		"${@:2}"
	note 'Database files initialized'

	note 'Starting temporary server'
	temp_server_start "$@"
	note 'Temporary server started.'

	if [[ -z "$MARIADB_INITDB_SKIP_TZINFO" ]]; then
		mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo 2>/dev/null | MYSQL_PWD='' client
	fi
	if [[ -n "$MARIADB_RANDOM_ROOT_PASSWORD" ]]; then
		MARIADB_ROOT_PASSWORD="$(pwgen --numerals --capitalize --symbols --remove-chars="'\\" -1 32)"
		export MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD="$MARIADB_ROOT_PASSWORD"
		note "GENERATED ROOT PASSWORD: $MARIADB_ROOT_PASSWORD"
	fi
	local pw host
	pw="$(sql_quote "$MARIADB_ROOT_PASSWORD")"
	host="$(sql_quote "$MARIADB_ROOT_HOST")"
	{
		echo "SET @@SESSION.SQL_LOG_BIN=0;"
		echo "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';"
		echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@''', @@hostname, '''');"
		echo "SET PASSWORD FOR root@localhost = PASSWORD('$pw');"
		if [[ -n "$MARIADB_ROOT_HOST" && "$MARIADB_ROOT_HOST" != localhost ]]; then
			echo "CREATE USER root@'$host' IDENTIFIED BY '$pw';"
			echo "GRANT ALL ON *.* TO root@'$host' WITH GRANT OPTION;"
			echo "GRANT PROXY ON ''@'%' TO root@'$host' WITH GRANT OPTION;"
		fi
		if [[ -n "$MARIADB_DATABASE" ]]; then
			echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;"
		fi
		if [[ -n "$MARIADB_USER" && -n "$MARIADB_PASSWORD" ]]; then
			echo "CREATE USER '$(sql_quote "$MARIADB_USER")'@'%' IDENTIFIED BY '$(sql_quote "$MARIADB_PASSWORD")';"
			if [[ -n "$MARIADB_DATABASE" ]]; then
				echo "GRANT ALL ON \`${MARIADB_DATABASE//_/\\_}\`.* TO '$(sql_quote "$MARIADB_USER")'@'%';"
			fi
		fi
	} | MYSQL_PWD='' client

	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh) if [[ -x "$f" ]]; then note "$0: running $f"; "$f"; else note "$0: sourcing $f"; . "$f"; fi ;;
			*.sql) note "$0: running $f"; MYSQL_PWD="$MARIADB_ROOT_PASSWORD" client ${MARIADB_DATABASE:+--database="$MARIADB_DATABASE"} <"$f" ;;
			*.sql.gz) note "$0: running $f"; gunzip -c "$f" | MYSQL_PWD="$MARIADB_ROOT_PASSWORD" client ${MARIADB_DATABASE:+--database="$MARIADB_DATABASE"} ;;
			*.sql.xz) note "$0: running $f"; xzcat "$f" | MYSQL_PWD="$MARIADB_ROOT_PASSWORD" client ${MARIADB_DATABASE:+--database="$MARIADB_DATABASE"} ;;
			*.sql.zst) note "$0: running $f"; zstd -dc "$f" | MYSQL_PWD="$MARIADB_ROOT_PASSWORD" client ${MARIADB_DATABASE:+--database="$MARIADB_DATABASE"} ;;
			*) warn "$0: ignoring $f" ;;
		esac
	done

	note 'Stopping temporary server'
	temp_server_stop
	note 'Temporary server stopped'
	note 'MariaDB init process done. Ready for start up.'
}

main() {
	if [[ "${1:0:1}" == - ]]; then
		set -- mariadbd "$@"
	fi
	if [[ "$1" != mariadbd && "$1" != mysqld ]] || wants_help "$@"; then
		exec "$@"
	fi

	note "Entrypoint script for MariaDB Server $(mariadbd --version | awk '{ print $3 }') started."
	local errors
	if ! errors="$("$@" --verbose --help 2>&1 >/dev/null)"; then
		die $'mariadbd failed while attempting to check config\n\tcommand was: '"$* --verbose --help"$'\n\t'"$errors"
	fi
	DATADIR="$(server_option datadir "$@")"
	DATADIR="${DATADIR%/}"
	SOCKET="$(server_option socket "$@")"

	take_env ROOT_PASSWORD
	take_env ROOT_HOST '%'
	take_env DATABASE
	take_env USER
	take_env PASSWORD
	take_env ALLOW_EMPTY_ROOT_PASSWORD '' ALLOW_EMPTY_PASSWORD
	take_env RANDOM_ROOT_PASSWORD
	take_env INITDB_SKIP_TZINFO

	mkdir -p "$DATADIR"
	if [[ "$(id -u)" == 0 ]]; then
		find "$DATADIR" \! -user mysql -exec chown mysql: '{}' +
		if [[ "${SOCKET:0:1}" != @ ]]; then
			find "${SOCKET%/*}" -maxdepth 0 \! -user mysql -exec chown mysql: '{}' \;
		fi
		note "Switching to dedicated user 'mysql'"
		exec gosu mysql "${BASH_SOURCE[0]}" "$@"
	fi

	if [[ ! -d "$DATADIR/mysql" ]]; then
		initialise "$@"
	fi
	unset MARIADB_ROOT_PASSWORD MYSQL_ROOT_PASSWORD MARIADB_PASSWORD MYSQL_PASSWORD
	exec "$@"
}

main "$@"
