#!/bin/sh
# Starts mitmproxy on :8080 with a CA of its own, made now in /tmp/mitmproxy (a tmpfs):
# every container of the lab gets a new one, and no image ever holds it.
# Upstream, it checks certificates against the bundle mounted as the secret upstream_ca
# (what the host trusts: so the lab works where the host's network intercepts TLS too),
# and goes through UPSTREAM_PROXY when one is set (a company proxy).
set -eu

mode=""
if [ -n "${UPSTREAM_PROXY:-}" ]; then
    mode="--mode upstream:${UPSTREAM_PROXY}"
fi
# shellcheck disable=SC2086  # $mode is empty or two words on purpose
exec /opt/mitmproxy/bin/mitmdump $mode \
    --listen-port 8080 \
    --set confdir=/tmp/mitmproxy \
    --set ssl_verify_upstream_trusted_ca=/run/secrets/upstream_ca \
    --scripts /opt/lab/send_ca_in_chain.py \
    --flow-detail 0
