#!/usr/bin/env bash
# Whether any certificate of a CA bundle made it into an image: looks through every
# file of the image, its build history and its environment.
#   bash ca-in-image.sh BUNDLE IMAGE...
# Prints one line per image; exits 1 when a certificate (or a variable pointing pip or
# npm at one) is found.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: bash ca-in-image.sh BUNDLE IMAGE..." >&2; exit 2; }
bundle="$1"
shift
[ -s "$bundle" ] || { echo "ca-in-image: $bundle is not a CA bundle (missing or empty)" >&2; exit 2; }

work="$(mktemp -d)"
container=""
# shellcheck disable=SC2329  # run by the EXIT trap below
cleanup() {
    if [ -n "$container" ]; then docker rm --volumes "$container" >/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The first line of a certificate's base64 body holds its serial number: enough to
# recognise that certificate in any file, PEM or not.
awk '/-----BEGIN CERTIFICATE-----/ { getline; print }' "$bundle" | sort -u >"$work/certificates"
count="$(wc -l <"$work/certificates")"

status=0
for image in "$@"; do
    container="$(docker create "$image")"
    in_files="$(docker export "$container" | tar -xO 2>/dev/null | grep -a -c -F -f "$work/certificates" || true)"
    docker rm --volumes "$container" >/dev/null
    container=""
    in_history="$(docker history --no-trunc --format '{{.CreatedBy}}' "$image" \
        | grep -c -F -f "$work/certificates" || true)"
    in_environment="$(docker image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$image" \
        | grep -c -E '^(PIP_CERT|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|REQUESTS_CA_BUNDLE)=' || true)"
    if [ "$in_files" -eq 0 ] && [ "$in_history" -eq 0 ] && [ "$in_environment" -eq 0 ]; then
        echo "$image: none of the $count certificates (files, history, environment)"
    else
        echo "$image: FOUND in files: $in_files, history: $in_history, environment: $in_environment"
        status=1
    fi
done
exit "$status"
