#!/usr/bin/env bash
# Make sure axe-core (the accessibility engine the browser checks inject into each
# page) is installed from the npm registry, at the version tests/site/axe/package-lock.json
# pins. `npm ci` runs again whenever the lock file is newer than the installed copy.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
axe_dir="$here/axe"
installed="$axe_dir/node_modules/.package-lock.json"

if [ -f "$axe_dir/node_modules/axe-core/axe.min.js" ] && [ "$installed" -nt "$axe_dir/package-lock.json" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        printf 'axe-core: npm is missing: install Node.js and npm (Debian: sudo apt-get install npm), then run again\n' >&2
        exit 1
    fi
    printf 'axe-core: installing Debian'"'"'s npm (one time)\n' >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends npm >/dev/null; }; then
        printf 'axe-core: apt-get install npm failed: check the package mirror, then run again\n' >&2
        exit 1
    fi
fi
printf 'axe-core: npm ci in %s\n' "${axe_dir#"$PWD"/}" >&2
if ! (cd "$axe_dir" && npm ci --no-audit --no-fund --loglevel=error); then
    printf 'axe-core: npm ci failed: check that the npm registry is reachable, then run again\n' >&2
    exit 1
fi
