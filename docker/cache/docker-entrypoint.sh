#!/bin/bash
# Starts redis-server with REDIS_PASSWORD, when set, as requirepass. The password is
# handed over on stdin (redis-server reads extra configuration from "-"), so it shows
# neither in the process list nor in a file.
set -Eeuo pipefail

if [ "${1:-}" = redis-server ] && [ -n "${REDIS_PASSWORD:-}" ]; then
  case "$REDIS_PASSWORD" in
    *$'\n'*)
      echo "docker-entrypoint: REDIS_PASSWORD contains a line break; choose one without" >&2
      exit 1 ;;
  esac
  # Quoted the way redis.conf reads strings: backslash and double quote escaped.
  quoted=${REDIS_PASSWORD//\\/\\\\}
  quoted=${quoted//\"/\\\"}
  exec "$@" - <<<"requirepass \"$quoted\""
fi
exec "$@"
