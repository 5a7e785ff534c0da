#!/bin/bash
# Initialises an empty data directory the way the official postgres image does, then
# runs the server in the foreground. Runs as the postgres user throughout: no step
# here needs root, so the container works with every capability dropped. Bash builtins
# and PostgreSQL's own programs only: the image has no other tools.
set -Eeuo pipefail

fail() {
  echo "docker-entrypoint: $*" >&2
  exit 1
}

# secret NAME VALUE FILE: sets REPLY to the password given as the variable NAME (VALUE)
# or in the file NAME_FILE names (FILE: a Compose or Docker secret under /run/secrets),
# as the official image reads them; both set is an error. Never exported: the server
# started at the end must not carry it in its environment.
secret() {
  local name="$1" value="$2" file="$3"
  REPLY="$value"
  [ -n "$file" ] || return 0
  [ -z "$value" ] || fail "both $name and ${name}_FILE are set; set only one of them"
  [ -e "$file" ] || fail "${name}_FILE names $file, which does not exist; mount the password file there (a Compose secret)"
  [ -r "$file" ] || fail "${name}_FILE: $file is not readable by uid $EUID; on the host, make the file readable by that uid (chown $EUID)"
  REPLY="$(<"$file")"
  [ -n "$REPLY" ] || fail "${name}_FILE: $file is empty; write the password into it"
}

# The application's role (POSTGRES_APP_USER, password from POSTGRES_APP_PASSWORD_FILE):
# a login that owns the application's database, and through it the public schema
# (PostgreSQL 15 and later give that schema to the database's owner), so it can run the
# migrations; not a superuser, and no CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS.
create_app_role() {
  local superuser="$1" db="$2" app_user="$3" app_password="$4"
  # The password reaches psql on stdin as a psql variable, quoted the way \set reads
  # single-quoted text (backslash and quote doubled): never on a command line.
  local quoted="${app_password//\\/\\\\}"
  quoted="${quoted//\'/\'\'}"
  psql --no-psqlrc --quiet --username="$superuser" --dbname=postgres --set ON_ERROR_STOP=1 \
    --set app_user="$app_user" --set db="$db" <<SQL
\\set app_password '$quoted'
CREATE ROLE :"app_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO :"app_user";
SQL
}

# PostgreSQL lets every role (PUBLIC) connect to every database and create temporary
# tables there. Least privilege: the databases initdb makes (postgres, template1) are the
# superuser's alone, and the application's database its owner's (the application's role,
# or the superuser); superusers connect anywhere. CREATE DATABASE copies template1
# without connecting to it, and template0 takes no connections at all.
restrict_connect() {
  local superuser="$1" db="$2"
  psql --no-psqlrc --quiet --username="$superuser" --dbname=postgres --set ON_ERROR_STOP=1 \
    --set db="$db" <<'SQL'
REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE :"db" FROM PUBLIC;
SQL
}

initialise() {
  secret POSTGRES_PASSWORD "${POSTGRES_PASSWORD:-}" "${POSTGRES_PASSWORD_FILE:-}"
  local password="$REPLY"
  [ -n "$password" ] \
    || fail "POSTGRES_PASSWORD is not set; set it, or POSTGRES_PASSWORD_FILE, to the password for POSTGRES_USER (needed once, to initialise $PGDATA)"
  local user="${POSTGRES_USER:-postgres}" db="${POSTGRES_DB:-${POSTGRES_USER:-postgres}}"
  # Everything checked before initdb: a data directory left half-initialised would be
  # taken for a finished one at the next start.
  local app_user="${POSTGRES_APP_USER:-}" app_password=""
  if [ -n "$app_user" ]; then
    [ "$app_user" != "$user" ] \
      || fail "POSTGRES_APP_USER is the superuser POSTGRES_USER ($user); give the application a role of its own"
    secret POSTGRES_APP_PASSWORD "" "${POSTGRES_APP_PASSWORD_FILE:-}"
    app_password="$REPLY"
    [ -n "$app_password" ] \
      || fail "POSTGRES_APP_USER is set but POSTGRES_APP_PASSWORD_FILE is not; name the file holding $app_user's password"
  fi

  # The password goes through a pipe, never a file or the command line.
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS holds several words on purpose
  initdb --pgdata="$PGDATA" --username="$user" --pwfile=<(printf '%s\n' "$password") \
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
  if [ -n "$app_user" ]; then
    create_app_role "$user" "$db" "$app_user" "$app_password"
  fi
  restrict_connect "$user" "$db"
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
  echo "docker-entrypoint: initialised $PGDATA (superuser $user, database $db${app_user:+ owned by $app_user})"
}

if [ "${1:-}" = postgres ]; then
  [ "$(id -u)" != 0 ] || fail "refusing to run as root; run as the postgres user (uid 1000)"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    initialise
  fi
fi
exec "$@"
