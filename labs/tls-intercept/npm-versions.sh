#!/usr/bin/env bash
# Tries to reproduce npm's "Exit handler never called!" behind the lab: `npm ci` of the
# frontend's lockfile, without the lab's CA, with each npm version given (Debian's own,
# then others from the npm registry, fetched through the lab with its CA). Prints, for
# each, the version, the exit status and the error lines npm wrote.
#   bash npm-versions.sh LAB_PROXY LAB_CA FRONTEND_DIR TOOLCHAIN_IMAGE [VERSION...]
set -euo pipefail

[ $# -ge 4 ] || { echo "usage: bash npm-versions.sh LAB_PROXY LAB_CA FRONTEND_DIR TOOLCHAIN_IMAGE [VERSION...]" >&2; exit 2; }
proxy="$1" ca="$2" frontend="$3" image="$4"
shift 4

# One throwaway container per version, on the default bridge where the lab listens, as
# an unprivileged user; the sources read-only, the lockfile copied into /tmp.
for version in debian "$@"; do
    docker run --rm --network bridge --user 1000:1000 -e HOME=/tmp -e HTTPS_PROXY="$proxy" \
        -v "$(cd "$frontend" && pwd):/src:ro" -v "$(cd "$(dirname "$ca")" && pwd)/$(basename "$ca"):/lab-ca.pem:ro" \
        "$image" sh -c '
        npm=npm
        if [ "$1" != debian ]; then
            NODE_EXTRA_CA_CERTS=/lab-ca.pem npm install --global --prefix /tmp/npm "npm@$1" \
                >/tmp/install.log 2>&1 || { echo "npm $1: could not be installed"; exit 0; }
            npm=/tmp/npm/bin/npm
        fi
        mkdir /tmp/app && cp /src/package.json /src/package-lock.json /tmp/app/ && cd /tmp/app
        status=0
        timeout 600 "$npm" ci --no-audit --no-fund >/tmp/ci.log 2>&1 || status=$?
        echo "npm $("$npm" --version 2>/dev/null | tail -n 1) (node $(node --version)): npm ci exited $status"
        grep -E "Exit handler|ERR! code|error code" /tmp/ci.log | sort -u | sed "s/^/    /"
        ' sh "$version"
done
