#!/bin/bash
# Initialises an empty data directory the way the official postgres image does, then
# runs the server in the foreground. Runs as the postgres user throughout: no step
# here needs root, so the container works with every capability dropped.
set -Eeuo pipefail

fail() {
  echo "docker-entrypoint: $*" >&2
  exit 1
}

initialise() {
  [ -n "${POSTGRES_PASSWORD:-}" ] \
    || fail "POSTGRES_PASSWORD is not set; set it to the password for POSTGRES_USER (needed once, to initialise $PGDATA)"
  local user="${POSTGRES_USER:-postgres}" db="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"

  # The password goes through a pipe, never a file or the command line.
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS holds several words on purpose
  initdb --pgdata="$PGDATA" --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 \
    ${POSTGRES_INITDB_ARGS:-}
  # Other containers reach the server over the network: password (SCRAM) only.
  printf '%s\n' "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  printf '%s\n' "listen_addresses = '*'" "jit = off" >>"$PGDATA/postgresql.conf"

  # A temporary server on the Unix socket only, so health checks (TCP) stay red until
  # the real server starts.
  pg_ctl --pgdata="$PGDATA" --wait --silent -o "-c listen_addresses=''" start
  if [ "$db" != postgres ]; then
    # From stdin, because psql interpolates :"db" (quoted identifier) only there.
    echo 'CREATE DATABASE :"db";' \
      | psql --no-psqlrc --quiet --username="$user" --dbname=postgres --set ON_ERROR_STOP=1 \
        --set db="$db"
  fi
  local script
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh) echo "docker-entrypoint: running $script"; bash "$script" ;;
      *.sql) echo "docker-entrypoint: running $script"
        psql --no-psqlrc --username="$user" --dbname="$db" --set ON_ERROR_STOP=1 --file="$script" ;;
      *) ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop
  echo "docker-entrypoint: initialised $PGDATA (user $user, database $db)"
}

if [ "${1:-}" = postgres ]; then
  [ "$(id -u)" != 0 ] || fail "refusing to run as root; run as the postgres user (uid 1000)"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    initialise
  fi
fi
exec "$@"
