# npm asks the registry about one package, trusting the extra CA bundle only if one is given
# (no retries: a certificate problem does not go away by asking again).
# The stage the compose file beside it builds locally (never pulled), so no tag to pin.
# hadolint ignore=DL3006
FROM tls-probe/node-toolchain
RUN --mount=type=secret,id=extra_ca \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi \
 && npm view --fetch-retries=0 ms@2.1.3 version
