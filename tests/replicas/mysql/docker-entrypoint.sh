#!/usr/bin/env bash
# Entrypoint of the mysql replica (harden tests; the server is MariaDB, see the Dockerfile). Written
# for this project; behaves like the official mysql image's in what hardening touches: it asks the
# server for its datadir, socket, pid-file and secure-file-priv; creates their directories
# (`mkdir -p`, as whatever user it runs as); as root it chowns them to mysql and re-executes itself
# with `gosu mysql`; under --user it runs as that user; on an empty datadir it initialises it, starts
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

# VAR or VAR_FILE (Docker secrets) into VAR.
env_or_file() {
	local name="$1" default="${2:-}" file="${1}_FILE"
	if [[ -n "${!name:-}" && -n "${!file:-}" ]]; then
		die "both $name and $file are set (but are exclusive)"
	fi
	local value="$default"
	if [[ -n "${!name:-}" ]]; then
		value="${!name}"
	elif [[ -n "${!file:-}" ]]; then
		value="$(<"${!file}")"
	fi
	export "$name=$value"
	unset "$file"
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
	mysql --protocol=socket --socket="$SOCKET" -uroot --database=mysql "$@"
}

temp_server_start() {
	"$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" &
	TEMP_SERVER_PID=$!
	local i
	for i in {30..0}; do
		if MYSQL_PWD='' client -e 'SELECT 1' >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$TEMP_SERVER_PID" 2>/dev/null || die 'Unable to start server.'
		sleep 1
	done
	die 'The temporary server did not answer within 30 seconds.'
}

temp_server_stop() {
	MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysqladmin --socket="$SOCKET" -uroot shutdown ||
		die 'Unable to shut down server.'
	wait "$TEMP_SERVER_PID" || :
}

# Directories of the datadir, socket, pid file and secure-file-priv: created, and chowned as root.
create_db_directories() {
	local -A dirs=(["$DATADIR"]=1 ["$(dirname "$SOCKET")"]=1)
	local option value
	for option in general-log-file pid-file secure-file-priv slow-query-log-file; do
		value="$(server_option "$option" "$@")"
		[[ -n "$value" && "$value" != NULL && "$value" != '(No' ]] || continue
		# MariaDB reports some of these relative to the datadir (MySQL reports them absolute)
		[[ "$value" == /* ]] || value="$DATADIR/$value"
		[[ "$option" == secure-file-priv ]] || value="$(dirname "$value")"
		dirs["$value"]=1
	done
	mkdir -p "${!dirs[@]}"
	if [[ "$(id -u)" == 0 ]]; then
		find "${!dirs[@]}" \! -user mysql -exec chown --no-dereference mysql '{}' +
	fi
}

initialise() {
	if [[ -z "$MYSQL_ROOT_PASSWORD" && -z "$MYSQL_ALLOW_EMPTY_PASSWORD" && -z "$MYSQL_RANDOM_ROOT_PASSWORD" ]]; then
		die $'Database is uninitialized and password option is not specified\n\tYou need to specify one of the following as an environment variable:\n\t- MYSQL_ROOT_PASSWORD\n\t- MYSQL_ALLOW_EMPTY_PASSWORD\n\t- MYSQL_RANDOM_ROOT_PASSWORD'
	fi
	if [[ "$MYSQL_USER" == root ]]; then
		die $'MYSQL_USER="root", MYSQL_USER and MYSQL_PASSWORD are for configuring a regular user and cannot be used for the root user\n\tRemove MYSQL_USER="root" and use one of the following to control the root user password:\n\t- MYSQL_ROOT_PASSWORD\n\t- MYSQL_ALLOW_EMPTY_PASSWORD\n\t- MYSQL_RANDOM_ROOT_PASSWORD'
	fi
	ls /docker-entrypoint-initdb.d/ >/dev/null

	note 'Initializing database files'
	# `--user=` keeps mariadb-install-db from chowning to my.cnf's user=mysql: like
	# `mysqld --initialize-insecure`, it then initialises as whatever user runs it
	mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal --skip-test-db \
		--default-time-zone=SYSTEM "${@:2}" --user=
	note 'Database files initialized'

	note 'Starting temporary server'
	temp_server_start "$@"
	note 'Temporary server started.'

	if [[ -z "$MYSQL_INITDB_SKIP_TZINFO" ]]; then
		mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo 2>/dev/null | MYSQL_PWD='' client
	fi
	if [[ -n "$MYSQL_RANDOM_ROOT_PASSWORD" ]]; then
		MYSQL_ROOT_PASSWORD="$(pwgen --numerals --capitalize --symbols --remove-chars="'\\" -1 32)"
		export MYSQL_ROOT_PASSWORD
		note "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
	fi
	local pw host
	pw="$(sql_quote "$MYSQL_ROOT_PASSWORD")"
	host="$(sql_quote "$MYSQL_ROOT_HOST")"
	{
		echo "SET @@SESSION.SQL_LOG_BIN=0;"
		echo "DROP USER IF EXISTS root@'127.0.0.1', root@'::1';"
		echo "EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@''', @@hostname, '''');"
		echo "ALTER USER root@localhost IDENTIFIED BY '$pw';"
		if [[ -n "$MYSQL_ROOT_HOST" && "$MYSQL_ROOT_HOST" != localhost ]]; then
			echo "CREATE USER root@'$host' IDENTIFIED BY '$pw';"
			echo "GRANT ALL ON *.* TO root@'$host' WITH GRANT OPTION;"
		fi
		if [[ -n "$MYSQL_DATABASE" ]]; then
			echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
		fi
		if [[ -n "$MYSQL_USER" && -n "$MYSQL_PASSWORD" ]]; then
			echo "CREATE USER '$(sql_quote "$MYSQL_USER")'@'%' IDENTIFIED BY '$(sql_quote "$MYSQL_PASSWORD")';"
			if [[ -n "$MYSQL_DATABASE" ]]; then
				echo "GRANT ALL ON \`${MYSQL_DATABASE//_/\\_}\`.* TO '$(sql_quote "$MYSQL_USER")'@'%';"
			fi
		fi
		if [[ -n "$MYSQL_ONETIME_PASSWORD" ]]; then
			echo "ALTER USER root@'%' PASSWORD EXPIRE;"
		fi
	} | MYSQL_PWD='' client

	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh) if [[ -x "$f" ]]; then note "$0: running $f"; "$f"; else note "$0: sourcing $f"; . "$f"; fi ;;
			*.sql) note "$0: running $f"; MYSQL_PWD="$MYSQL_ROOT_PASSWORD" client ${MYSQL_DATABASE:+--database="$MYSQL_DATABASE"} <"$f" ;;
			*.sql.gz) note "$0: running $f"; gunzip -c "$f" | MYSQL_PWD="$MYSQL_ROOT_PASSWORD" client ${MYSQL_DATABASE:+--database="$MYSQL_DATABASE"} ;;
			*.sql.xz) note "$0: running $f"; xzcat "$f" | MYSQL_PWD="$MYSQL_ROOT_PASSWORD" client ${MYSQL_DATABASE:+--database="$MYSQL_DATABASE"} ;;
			*.sql.zst) note "$0: running $f"; zstd -dc "$f" | MYSQL_PWD="$MYSQL_ROOT_PASSWORD" client ${MYSQL_DATABASE:+--database="$MYSQL_DATABASE"} ;;
			*) warn "$0: ignoring $f" ;;
		esac
	done

	note 'Stopping temporary server'
	temp_server_stop
	note 'Temporary server stopped'
	note 'MySQL init process done. Ready for start up.'
}

main() {
	if [[ "${1:0:1}" == - ]]; then
		set -- mysqld "$@"
	fi
	if [[ "$1" != mysqld ]] || wants_help "$@"; then
		exec "$@"
	fi

	note "Entrypoint script for MySQL Server (replica: $(mysqld --version | awk '{ print $3 }')) started."
	local errors
	if ! errors="$("$@" --verbose --help 2>&1 >/dev/null)"; then
		die $'mysqld failed while attempting to check config\n\tcommand was: '"$* --verbose --help"$'\n\t'"$errors"
	fi
	DATADIR="$(server_option datadir "$@")"
	DATADIR="${DATADIR%/}"
	SOCKET="$(server_option socket "$@")"

	env_or_file MYSQL_ROOT_PASSWORD
	env_or_file MYSQL_ROOT_HOST '%'
	env_or_file MYSQL_DATABASE
	env_or_file MYSQL_USER
	env_or_file MYSQL_PASSWORD
	: "${MYSQL_ALLOW_EMPTY_PASSWORD:=}" "${MYSQL_RANDOM_ROOT_PASSWORD:=}" "${MYSQL_ONETIME_PASSWORD:=}"
	: "${MYSQL_INITDB_SKIP_TZINFO:=}"

	create_db_directories "$@"
	if [[ "$(id -u)" == 0 ]]; then
		note "Switching to dedicated user 'mysql'"
		exec gosu mysql "${BASH_SOURCE[0]}" "$@"
	fi

	if [[ ! -d "$DATADIR/mysql" ]]; then
		initialise "$@"
	fi
	unset MYSQL_ROOT_PASSWORD MYSQL_PASSWORD
	exec "$@"
}

main "$@"
