# npm asks the registry about one package, trusting the extra CA bundle only if one is given
# (two retries, one and two seconds apart: a reset connection is asked again, and a refused
# certificate fails them all within three seconds).
# The stage the compose file beside it builds locally (never pulled), so no tag to pin.
# hadolint ignore=DL3006
FROM tls-probe/node-toolchain
RUN --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi \
 && npm view --fetch-retries=2 --fetch-retry-mintimeout=1000 --fetch-retry-maxtimeout=2000 ms@2.1.3 version
