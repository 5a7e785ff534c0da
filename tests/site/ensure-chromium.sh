#!/usr/bin/env bash
# Make sure Debian's chromium exists for the browser checks. Playwright's own
# browser download needs a CDN this machine may not reach; Debian's package
# comes from the plain-HTTP signed mirror that apt already uses.
set -euo pipefail

chromium="${CHROMIUM:-/usr/bin/chromium}"

if [ -x "$chromium" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    printf 'chromium: %s is missing: install it (Debian: sudo apt-get install chromium), or point CHROMIUM=/path/to/chromium at one\n' "$chromium" >&2
    exit 1
fi
printf 'chromium: installing Debian'"'"'s chromium (one time)\n' >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    printf 'chromium: apt-get install chromium failed: check the package mirror, then run again\n' >&2
    exit 1
fi
