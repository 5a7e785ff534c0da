#!/usr/bin/env bash
# Back up the production database (compose.prod.yaml beside this script): a compressed
# dump (pg_dump's custom format) of the database the db container was configured with,
# as its role, into DIR, keeping the newest KEEP dumps there.
#
#   backup.sh DIR [KEEP]        (or BACKUP_DIR and BACKUP_KEEP; KEEP defaults to 7)
#
# Made for cron: it works from any folder with no exported variable (it finds its
# Compose file and .env.production from its own location), prints only the new dump's
# path, and exits non-zero when anything fails, leaving no partial dump behind.
set -Eeuo pipefail
umask 077  # dumps hold every portfolio and trade: readable by their owner only
export LC_ALL=C  # the order of the dumps' names is the order of their times

fail() {
  echo "backup.sh: $*" >&2
  exit 1
}

command -v docker >/dev/null \
  || fail "docker is not on PATH ($PATH); under cron, set PATH in the crontab to include its folder"
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
repository="$(dirname -- "$here")"
dir="${1:-${BACKUP_DIR:-}}"
keep="${2:-${BACKUP_KEEP:-7}}"
[ -n "$dir" ] || fail "no backup folder; usage: backup.sh DIR [KEEP] (or set BACKUP_DIR)"
[[ "$keep" =~ ^[1-9][0-9]*$ ]] || fail "KEEP must be a whole number, 1 or more, not '$keep'"
dir="$(realpath --canonicalize-missing -- "$dir")"
case "$dir/" in
  "$repository"/*) fail "$dir is inside the repository; keep backups outside it (another disk)" ;;
esac
mkdir -p -- "$dir"

compose=(docker compose --project-directory "$here" --file "$here/compose.prod.yaml"
  --env-file "$here/.env.production")
# Milliseconds: two runs in one second still get two names (sorted by time).
dump="$dir/papertrade-$(date -u +%Y%m%dT%H%M%S.%3NZ).dump"
partial="$dir/.partial.$$.dump"
trap 'rm -f -- "$partial"' EXIT

# The role and database as the db container has them (what .env.production set, or
# compose.prod.yaml's defaults), expanded inside the container, never hard-coded here.
# shellcheck disable=SC2016  # expanded by the container's shell, on purpose
"${compose[@]}" exec -T db bash -c \
  'exec pg_dump --format=custom --username="$POSTGRES_USER" --dbname="$POSTGRES_DB"' >"$partial" \
  || fail "pg_dump failed (is the production stack running? docker compose -f $here/compose.prod.yaml ps)"
[ "$(head -c 5 -- "$partial")" = PGDMP ] || fail "pg_dump wrote no dump; nothing kept"
sync -- "$partial"
# A hard link, then the temporary name goes: the dump appears whole or not at all, and
# an existing dump is never overwritten.
ln -- "$partial" "$dump"
sync -- "$dir"

# Retention: the newest KEEP dumps stay, older ones go (the glob sorts by name = time).
dumps=("$dir"/papertrade-*.dump)
if [ "${#dumps[@]}" -gt "$keep" ]; then
  rm -f -- "${dumps[@]:0:${#dumps[@]}-keep}"
fi
echo "$dump"
