#!/usr/bin/env bash
# Restore a dump made by backup.sh into the production database (compose.prod.yaml
# beside this script), in one transaction: it replaces the database's tables whole, or,
# when anything fails, changes nothing. Start at least the db service first.
#
#   restore.sh FILE
set -Eeuo pipefail

fail() {
  echo "restore.sh: $*" >&2
  exit 1
}

[ "$#" -eq 1 ] || fail "usage: restore.sh FILE (a dump made by backup.sh)"
[ -f "$1" ] && [ -r "$1" ] || fail "$1 is not a readable file"
here="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"

# --single-transaction: one COMMIT at the end, so a failure half-way rolls back the
# --clean drops too. --exit-on-error: stop at the first error instead of skipping it.
# shellcheck disable=SC2016  # expanded by the container's shell, on purpose
docker compose --project-directory "$here" --file "$here/compose.prod.yaml" \
  --env-file "$here/.env.production" exec -T db bash -c \
  'exec pg_restore --single-transaction --exit-on-error --clean --if-exists --username="$POSTGRES_USER" --dbname="$POSTGRES_DB"' \
  <"$1" || fail "restoring $1 failed; the database is as it was before"
