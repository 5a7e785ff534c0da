#!/bin/bash
# Starts redis-server with the password, when one is given, as requirepass: from
# REDIS_PASSWORD, or read from the file REDIS_PASSWORD_FILE names (a Compose or Docker
# secret under /run/secrets, so the password is not in the container's environment).
# It is handed over on stdin (redis-server reads extra configuration from "-"), so it
# shows neither in the process list nor in a file. Bash builtins only: the image has no
# other tools.
set -Eeuo pipefail

fail() {
  echo "docker-entrypoint: $*" >&2
  exit 1
}

if [ "${1:-}" = redis-server ]; then
  password="${REDIS_PASSWORD:-}"
  file="${REDIS_PASSWORD_FILE:-}"
  if [ -n "$file" ]; then
    [ -z "$password" ] || fail "both REDIS_PASSWORD and REDIS_PASSWORD_FILE are set; set only one of them"
    [ -e "$file" ] || fail "REDIS_PASSWORD_FILE names $file, which does not exist; mount the password file there (a Compose secret)"
    [ -r "$file" ] || fail "REDIS_PASSWORD_FILE: $file is not readable by uid $EUID; on the host, make the file readable by that uid (chown $EUID)"
    password="$(<"$file")"
    [ -n "$password" ] || fail "REDIS_PASSWORD_FILE: $file is empty; write the password into it"
  fi
  if [ -n "$password" ]; then
    case "$password" in
      *$'\n'*) fail "the Redis password contains a line break; choose one without" ;;
    esac
    # Quoted the way redis.conf reads strings: backslash and double quote escaped.
    quoted=${password//\\/\\\\}
    quoted=${quoted//\"/\\\"}
    exec "$@" - <<<"requirepass \"$quoted\""
  fi
fi
exec "$@"
