#!/usr/bin/env bash
# A real PostgreSQL server for Pulumi's postgres:// state backend (sharded fleets, their tests).
#
# Usage: bash scripts/postgres.sh [database]      ensure a server + database, print the backend URL
#        bash scripts/postgres.sh --drop database drop a database (tests clean up after themselves)
#        bash scripts/postgres.sh --stop          stop the server this script started
#
# - Installs Debian's postgresql when missing (scripts/system-packages.sh postgresql).
# - Listens on 127.0.0.1 only, on a private port (SORACOM_SIGFOX_PG_PORT, default 54329), with its
#   own data directory (SORACOM_SIGFOX_PG_DATA; default: the cache, or a temp dir when running as
#   root, because PostgreSQL refuses to run as root and its user cannot enter /root).
# - Reuses a server already answering on that port. Trust authentication, user `pulumi`:
#   a throwaway local server for tests and demos, not a production database.
# - Prints e.g. postgres://pulumi@127.0.0.1:54329/pulumi_state?sslmode=disable on stdout, for
#   `pulumi login <url>` or PULUMI_BACKEND_URL. Progress goes to stderr.
set -euo pipefail

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${SORACOM_SIGFOX_PG_PORT:-54329}"
HOST=127.0.0.1
USER_NAME=pulumi
CACHE="${SORACOM_SIGFOX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-soracom-sigfox}"
if [ "$(id -u)" -eq 0 ]; then
  DATA="${SORACOM_SIGFOX_PG_DATA:-${TMPDIR:-/tmp}/pulumi-soracom-sigfox-postgres}"
  as_server() { runuser -u postgres -- "$@"; }
else
  DATA="${SORACOM_SIGFOX_PG_DATA:-$CACHE/postgres}"
  as_server() { "$@"; }
fi

# A database name is an SQL identifier here: keep it to what needs no quoting.
valid_name() { [[ "$1" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "database name \"$1\" is invalid: use lower-case letters, digits and _ (e.g. pulumi_state)"; }

mode=ensure
DB=pulumi_state
case "${1:-}" in
  --drop) mode=drop; DB="${2:?--drop needs a database name}" ;;
  --stop) mode=stop ;;
  -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  -*) die "unknown option $1 (use [database], --drop <database>, --stop or --help)" ;;
  *) DB="$1" ;;
esac
valid_name "$DB"

bash "$REPO_ROOT/scripts/system-packages.sh" postgresql
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"

ready() { "$BIN/pg_isready" -q -h "$HOST" -p "$PORT" >/dev/null 2>&1; }
psql_admin() { "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$USER_NAME" -d postgres "$@"; }

if [ "$mode" = stop ]; then
  if [ -f "$DATA/postmaster.pid" ]; then as_server "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2; else log "no server of ours in $DATA"; fi
  exit 0
fi

if ! ready; then
  mkdir -p "$(dirname "$DATA")"
  # One starter at a time (parallel test workers may all ask at once).
  exec 9>"$(dirname "$DATA")/.pulumi-soracom-sigfox-postgres.lock"
  flock 9
  if ! ready; then
    if [ ! -f "$DATA/PG_VERSION" ]; then
      log "initialising a data directory in $DATA"
      mkdir -p "$DATA"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DATA"
      chmod 700 "$DATA"
      as_server "$BIN/initdb" -D "$DATA" -U "$USER_NAME" --auth=trust --encoding=UTF8 --no-instructions >/dev/null
    fi
    log "starting PostgreSQL on $HOST:$PORT (data: $DATA)"
    # Sockets in the data directory: the server needs no system directory of its own.
    as_server "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
      -o "-c listen_addresses=$HOST -p $PORT -c unix_socket_directories=$DATA -c max_connections=200 -c fsync=off" start >&2 ||
      die "the server did not start: see $DATA/server.log"
  fi
  exec 9>&-
else
  log "reusing the server already running on $HOST:$PORT"
fi

if [ "$mode" = drop ]; then
  psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
  exit 0
fi

if [ -z "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
  psql_admin -c "CREATE DATABASE $DB" 2>/dev/null || [ -n "$(psql_admin -tA -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ] ||
    die "could not create database $DB"
fi
printf 'postgres://%s@%s:%s/%s?sslmode=disable\n' "$USER_NAME" "$HOST" "$PORT" "$DB"
